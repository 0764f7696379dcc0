/**
 * Child process of the benchmark (or run alone: `node test/bench/routing.ts`): route() in process,
 * on benign workflow names and on names chosen to stall a backtracking engine, against the shipped
 * runway.yml and against the worst pattern the configuration accepts. DESIGN.md: routing answers
 * in linear time whatever workflow name an attacker chooses. Writes its figures as JSON to the
 * file named in argv[2], or prints them when there is none. (run.ts imports only its types: this
 * module benchmarks as it loads.)
 */
import { writeFileSync } from "node:fs";
import { loadConfigFile, parseConfig } from "../../lib/config/load.ts";
import { MAX_FIELD_LENGTH } from "../../lib/routing/fields.ts";
import { route } from "../../lib/routing/route.ts";
import { SAMPLE_CONFIG_FILE } from "../support/config.ts";
import { workflowJob } from "../support/payloads.ts";
import { median, timeRounds } from "./stats.ts";

/** JavaScript's RegExp takes seconds on this with a 40-character name; RE2 does not backtrack. */
const NESTED_PATTERN = "^([a-z0-9]+-?)+-deploy$";

export interface RoutingFigures {
  /** Median µs per route() call. */
  shippedBenignUs: number;
  shippedHostile10KbUs: number;
  nestedBenignUs: number;
  nestedHostile10KbUs: number;
  /** Names as long as a filter reads: the engine runs on the whole of them. */
  nestedBenignAtCapUs: number;
  nestedHostileAtCapUs: number;
  capLength: number;
  nestedPattern: string;
}

const shipped = loadConfigFile(SAMPLE_CONFIG_FILE);
const nested = parseConfig(
  `environments:
  dev:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "${NESTED_PATTERN}" }]]
    labels: [self-hosted, runway-dev]
    codebuild: { project: runway-runner-dev }
`,
  "bench.yml",
);

// Near misses for the nested pattern: every prefix matches, the end does not.
const hostile10Kb = `${"a-".repeat(5 * 1024 - 1)}a!`;
const hostileAtCap = `${"a-".repeat(MAX_FIELD_LENGTH / 2 - 1)}a!`;
const benignAtCap = `${"ab-".repeat((MAX_FIELD_LENGTH - "deploy".length) / 3)}deploy`.padStart(MAX_FIELD_LENGTH, "x");

const cases = {
  shippedBenignUs: [workflowJob({ workflowName: "action-payments-dev-deploy" }), shipped],
  shippedHostile10KbUs: [workflowJob({ workflowName: hostile10Kb }), shipped],
  nestedBenignUs: [workflowJob({ workflowName: "action-payments-dev-deploy" }), nested],
  nestedHostile10KbUs: [workflowJob({ workflowName: hostile10Kb }), nested],
  nestedBenignAtCapUs: [workflowJob({ workflowName: benignAtCap }), nested],
  nestedHostileAtCapUs: [workflowJob({ workflowName: hostileAtCap }), nested],
} as const;

// A benchmark of the wrong answer is no benchmark: check each decision first.
for (const [name, [payload, config]] of Object.entries(cases)) {
  const expected = name.includes("Benign") ? "routed" : "ignored";
  const { outcome, reason } = route(payload, config);
  if (outcome !== expected) throw new Error(`${name}: route() answered ${outcome} (${reason.slice(0, 200)}), expected ${expected}`);
}

// Warm every path up (JIT, re2js's DFA cache), then interleave rounds so drift hits all alike.
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<keyof typeof cases, number[]>;
for (const [payload, config] of Object.values(cases)) await timeRounds(() => route(payload, config), 3, 500);
for (let round = 0; round < 15; round++) {
  for (const [name, [payload, config]] of Object.entries(cases) as [keyof typeof cases, (typeof cases)[keyof typeof cases]][]) {
    samples[name].push(...(await timeRounds(() => route(payload, config), 1, 1_000)));
  }
}

const figures: RoutingFigures = {
  ...(Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof cases, number>),
  capLength: MAX_FIELD_LENGTH,
  nestedPattern: NESTED_PATTERN,
};
const out = process.argv[2];
if (out) writeFileSync(out, JSON.stringify(figures));
else console.log(JSON.stringify(figures, null, 2));
