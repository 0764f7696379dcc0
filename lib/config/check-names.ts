/**
 * Names for the checks a hook or stage declares, shared by CodeDeploy hooks (deploy-schema.ts) and
 * ECS-native stages (ecs-hooks-schema.ts): evidence and Slack replies refer to checks by name.
 */

/**
 * Unnamed checks are called after their type, numbered when a type repeats ("http", "http-2").
 *
 * @example
 * nameChecks([{ type: "http" }, { type: "http" }, { type: "ecs", name: "green" }]); // names http, http-2, green
 */
export function nameChecks<T extends { type: string; name?: string | undefined }>(checks: T[]): Array<T & { name: string }> {
  const taken = new Set(checks.flatMap((check) => (check.name === undefined ? [] : [check.name])));
  return checks.map((check) => {
    if (check.name !== undefined) return { ...check, name: check.name };
    let name = check.type;
    for (let n = 2; taken.has(name); n++) name = `${check.type}-${n}`;
    taken.add(name);
    return { ...check, name };
  });
}
