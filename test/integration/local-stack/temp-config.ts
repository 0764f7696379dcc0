/** A runway.yml of a test's own, in a temporary directory, for a local stack started on it. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Two environments that cannot share runners: a label of their own each, and the run label required (or not). */
export function isolatedConfig(requireRunLabel: boolean): string {
  const env = (name: string) => `
  ${name}:
    workflows:
      - - type: WORKFLOW_NAME
          pattern: ^(action.*${name}-deploy)$
    labels: [self-hosted, runway-${name}]
    requireRunLabel: ${requireRunLabel}
    codebuild:
      project: runway-runner-${name}
      region: eu-west-1
    concurrency: 20
    slack:
      channel: "#deploys-${name}"
`;
  return `stages:\n  local: all\nenvironments:${env("dev")}${env("stg")}`;
}

export function writeConfig(yaml: string): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "runway-stack-"));
  const file = join(dir, "runway.yml");
  writeFileSync(file, yaml);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
