/**
 * What `runway check-config` warns about when the configuration will serve a GitHub Enterprise
 * Server: a WORKFLOW_NAME filter cannot see the name in deliveries from releases before 3.7
 * (lib/routing/nameless.ts), so such jobs never reach the environment (and an exclusion on the
 * name never excludes). A warning, not a problem: a current release sends the name, and the file
 * is valid either way. Each warning is located where the filter is written.
 */
import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { GitHubEndpoints } from "../build/serverless-github.cjs";
import type { ConfigProblem } from "../config/errors.ts";
import type { RunwayConfig } from "../config/schema.ts";
import { decodeConfigText } from "../config/text.ts";
import { NAMELESS_CAUSE } from "../routing/nameless.ts";

/**
 * One warning per WORKFLOW_NAME filter, when `github` is an Enterprise Server; none otherwise.
 *
 * @example
 * workflowNameWarnings(config, "/repo/runway.yml", githubEndpoints("https://ghe.example.com"));
 * // [{ file: "/repo/runway.yml", line: 22, column: 11, field: "environments.dev.workflows.0.0", message: "filters on WORKFLOW_NAME, …" }]
 */
export function workflowNameWarnings(config: RunwayConfig, file: string, github: GitHubEndpoints): ConfigProblem[] {
  if (github.kind !== "enterprise-server") return [];
  const filters = Object.entries(config.environments).flatMap(([environment, env]) =>
    env.workflows.flatMap((group, g) =>
      group.flatMap((filter, f) => (filter.type === "WORKFLOW_NAME" ? [{ path: ["environments", environment, "workflows", g, f], exclude: filter.excludeMatchedPattern }] : [])),
    ),
  );
  if (filters.length === 0) return [];
  const at = locator(file);
  return filters.map(({ path, exclude }) => ({
    file,
    ...at(path),
    field: path.join("."),
    message:
      `filters on WORKFLOW_NAME, but ${NAMELESS_CAUSE} (${github.serverUrl} is an Enterprise Server): ` +
      `${exclude ? "this exclusion never excludes those jobs" : "those jobs never match this filter"}; ` +
      "route them by REPOSITORY, HEAD_BRANCH, JOB_NAME, labels or the run label instead, or upgrade the server",
  }));
}

/** Where a field path is written in the file (the file was read and validated just before). */
function locator(file: string): (path: (string | number)[]) => { line: number; column: number } {
  const decoded = decodeConfigText(readFileSync(file));
  const text = "text" in decoded ? decoded.text : "";
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, logLevel: "error" });
  return (path) => {
    const node = doc.getIn(path, true);
    const { line, col } = lineCounter.linePos(isNode(node) && node.range ? node.range[0] : 0);
    return { line, column: col };
  };
}
