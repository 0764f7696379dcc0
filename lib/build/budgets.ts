/**
 * Size budgets of the deployed bundles: all the JavaScript a function's zip ships (the entry, the
 * chunks it imports at cold start and those it loads on demand), by bundle (`functions/<name>.ts`;
 * the five hook validators share `codedeploy-hook`). Cold start is part of GitHub's 10 s budget
 * for the webhook and of every other function's latency, so growth past these is a decision to
 * make on purpose, not something to find out in production.
 *
 * The webhook's budget was 600 KiB until routing moved to RE2 semantics (re2js, 147 KiB minified):
 * matching in linear time whatever workflow name an attacker picks is worth its weight, so the
 * budget grew by what that engine costs and no more. The others are what they measured when set
 * (November 2026, esbuild minified ESM, see the comments) plus about 25 % headroom, rounded.
 * With one module per AWS client (lib/aws/<service>.ts, December 2026) every bundle lost the
 * clients its code never calls; the budgets were tightened to that measure plus 5–10 %. Then every
 * function took Powertools' Metrics (about 12 KiB each), and they were tightened again to what
 * they measured (cold + on demand, KiB: webhook 657, launcher 852, reconciler 677, redeliverer
 * 643, build-events 775, runner-release 700, notifier 663, deployment-events 448, protection-rule
 * 718, codedeploy-hook 641, ecs-hook 618) plus 2–5 %.
 * test/integration/package/ checks every packaged zip against them, and fails for a bundle that
 * has none: a new function gets a budget when it gets an entry in serverless.yml.
 */

const KiB = 1024;

export const BUNDLE_BUDGETS: Readonly<Record<string, number>> = {
  /** Answers GitHub within its 10 s budget, cold start included. Measured 546 KiB, 696 KiB with re2js. */
  "github-webhook": 680 * KiB,
  /** Octokit, SSM, CodeBuild, SQS, DynamoDB; S3 loaded on demand. Measured 828 KiB (460 at cold start). */
  "runner-launcher": 880 * KiB,
  /** Measured 637 KiB. */
  reconciler: 700 * KiB,
  /** Octokit with the App's JWT, DynamoDB, SSM (the App's key). Measured 622 KiB (December 2026). */
  redeliverer: 670 * KiB,
  /** Not measured yet (functions/build-events.ts was being written): sized like the notifier. */
  "build-events": 800 * KiB,
  /** Hourly: Octokit (no App auth), S3, SSM (the optional token), zod/mini. Measured 700 KiB (531 at cold start), December 2026. */
  "runner-release": 730 * KiB,
  /** Slack Web API client, DynamoDB, SQS. Measured 646 KiB. */
  "slack-notifier": 690 * KiB,
  /** Measured 456 KiB; 448 with Powertools' Metrics (12 KiB, every function carries it since December 2026). */
  "deployment-events": 470 * KiB,
  /** Deployment protection rules: Octokit, CloudWatch, SQS, zod. Measured 751 KiB (December 2026). */
  "protection-rule": 740 * KiB,
  /** The five CodeDeploy hook validators. Measured 638 KiB; 641 with Powertools' Metrics. */
  "codedeploy-hook": 670 * KiB,
  /** The ECS lifecycle hook: ECS and SQS (the notify queue), the other checks' clients on demand. Measured 653 KiB (December 2026). */
  "ecs-hook": 630 * KiB,
};

/**
 * The budget of a bundle, in bytes.
 *
 * @example
 * bundleBudget("github-webhook"); // 696320
 */
export function bundleBudget(bundle: string): number | undefined {
  return BUNDLE_BUDGETS[bundle];
}
