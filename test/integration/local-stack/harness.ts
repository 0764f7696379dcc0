/**
 * A local stack of the test file's own: its runway.yml in a temporary directory (two isolated
 * environments by default, temp-config.ts), started before the file's tests and stopped after, with
 * the schedules a test drives itself (reconciler, redeliverer) turned off and a long idle window,
 * so nothing happens that the test did not ask for.
 */
import { afterAll, beforeAll } from "vitest";
import type { Build } from "@aws-sdk/client-codebuild";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../../lib/local/stack.ts";
import { isolatedConfig, writeConfig } from "./temp-config.ts";

export interface StackUnderTest {
  /** The running stack (set once the file's beforeAll ran). */
  readonly stack: LocalStack;
  /** Every line the stack printed, as the terminal would show it. */
  readonly printed: string[];
}

/**
 * @example
 * const local = useLocalStack({ webhookSecret: "theft-secret", requireRunLabel: false });
 * it("…", async () => { await local.stack.github.actions.queueJob(payload); });
 */
export function useLocalStack(options: LocalStackOptions & { requireRunLabel?: boolean; yaml?: string } = {}): StackUnderTest {
  const { requireRunLabel = true, yaml, ...overrides } = options;
  const printed: string[] = [];
  const config = writeConfig(yaml ?? isolatedConfig(requireRunLabel));
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      config: config.file,
      stage: "local",
      print: (line) => printed.push(line),
      runnerStepMs: 20,
      reconcileEveryMs: 3_600_000,
      redeliverEveryMs: 3_600_000,
      idleTimeoutSeconds: 600,
      ...overrides,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    config.remove();
  });
  return {
    get stack() {
      if (!stack) throw new Error("the local stack is not started: use it inside a test, after beforeAll");
      return stack;
    },
    printed,
  };
}

/** An environment variable the launcher gave a runner build (RUNWAY_JOB_ID, RUNWAY_RUNNER_NAME …). */
export function buildVariable(build: Pick<Build, "environment">, name: string): string | undefined {
  return build.environment?.environmentVariables?.find((v) => v.name === name)?.value;
}

/** The build launched for a job, if any. */
export function buildForJob(stack: LocalStack, jobId: number): Build | undefined {
  return stack.codebuild.builds().find((build) => buildVariable(build, "RUNWAY_JOB_ID") === String(jobId));
}
