/**
 * Block Kit checks the real Slack applies and a fake that accepts anything would hide: a message
 * breaking one of these is refused whole (`invalid_blocks`) in production, so it is refused here.
 * The problems are reported as Slack does, in `response_metadata.messages`.
 */

const BLOCK_TYPES = new Set(["section", "context", "actions", "divider", "header", "image", "rich_text", "markdown"]);

/** Problems with `blocks`, empty when Slack would accept them. */
export function blockProblems(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ["[ERROR] must be an array [json-pointer:/blocks]"];
  const problems: string[] = [];
  if (blocks.length > 50) problems.push("[ERROR] no more than 50 items allowed [json-pointer:/blocks]");
  blocks.forEach((block: any, i) => {
    const at = (path: string) => `[json-pointer:/blocks/${i}${path}]`;
    if (!block || typeof block !== "object" || !BLOCK_TYPES.has(block.type)) {
      problems.push(`[ERROR] unsupported type ${JSON.stringify(block?.type)} ${at("/type")}`);
      return;
    }
    const text = (value: any, path: string, max: number, plainOnly = false) => {
      if (!value || typeof value.text !== "string" || value.text.length === 0) problems.push(`[ERROR] must provide a text object ${at(path)}`);
      else if (!["mrkdwn", "plain_text"].includes(value.type) || (plainOnly && value.type !== "plain_text")) problems.push(`[ERROR] invalid text type ${at(path + "/type")}`);
      else if (value.text.length > max) problems.push(`[ERROR] must be less than ${max + 1} characters ${at(path + "/text")}`);
    };
    switch (block.type) {
      case "header":
        text(block.text, "/text", 150, true);
        break;
      case "section":
        if (block.text === undefined && !Array.isArray(block.fields)) problems.push(`[ERROR] must provide either text or fields ${at("")}`);
        if (block.text !== undefined) text(block.text, "/text", 3000);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) problems.push(`[ERROR] no more than 10 items allowed ${at("/fields")}`);
          block.fields.forEach((field: unknown, f: number) => text(field, `/fields/${f}`, 2000));
        }
        break;
      case "context":
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) {
          problems.push(`[ERROR] must have between 1 and 10 elements ${at("/elements")}`);
        } else block.elements.forEach((el: any, e: number) => el?.type !== "image" && text(el, `/elements/${e}`, 3000));
        break;
      case "actions":
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) {
          problems.push(`[ERROR] must have between 1 and 25 elements ${at("/elements")}`);
          break;
        }
        // action_id must be unique within its block.
        const actionIds = new Set<string>();
        block.elements.forEach((el: any, e: number) => {
          if (el?.type !== "button") return;
          text(el.text, `/elements/${e}/text`, 75, true);
          if (el.url !== undefined && (typeof el.url !== "string" || !/^https?:\/\/\S+$/.test(el.url) || el.url.length > 3000)) {
            problems.push(`[ERROR] must be a valid URL ${at(`/elements/${e}/url`)}`);
          }
          if (typeof el.action_id === "string") {
            if (actionIds.has(el.action_id)) problems.push(`[ERROR] action_id already exists ${at(`/elements/${e}/action_id`)}`);
            actionIds.add(el.action_id);
          }
        });
        break;
    }
  });
  return problems;
}
