/**
 * Every example payload GitHub publishes, for every event type, sent signed to the local stack:
 * each must be answered 2xx. The examples come from @octokit/webhooks-examples, generated from
 * GitHub's own documentation.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../../lib/local/stack.ts";
import { SAMPLE_CONFIG_FILE } from "../../support/config.ts";
import { deliveryHeaders } from "../../support/payloads.ts";

interface ExampleSet {
  name: string;
  examples: unknown[];
}

const require = createRequire(import.meta.url);
const sets = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8")) as ExampleSet[];

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, config: SAMPLE_CONFIG_FILE, webhookSecret: "examples-secret", print: () => {} });
});
afterAll(async () => {
  await stack?.stop();
});

describe("GitHub's published example payloads", () => {
  it("has examples for many event types (the fixture loaded)", () => {
    expect(sets.length).toBeGreaterThan(40);
    expect(sets.map((s) => s.name)).toContain("workflow_job");
  });

  it.each(sets.map((s) => [s.name, s.examples] as const))("answers every %s example with 2xx", async (event, examples) => {
    for (const [index, example] of examples.entries()) {
      const body = JSON.stringify(example);
      const response = await fetch(stack.webhookUrl, { method: "POST", headers: deliveryHeaders("examples-secret", body, event, `example-${event}-${index}`), body });
      const answer = (await response.json()) as Record<string, unknown>;
      expect({ event, index, status: response.status, answer }).toMatchObject({ status: expect.toSatisfy((s: number) => s >= 200 && s < 300) });
    }
  });
});
