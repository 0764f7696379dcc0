/**
 * Limits on the public webhook (serverless.yml `${file(./lib/build/serverless-webhook.cjs):resources}`),
 * from the stage's params:
 *
 * - the HTTP API's default route throttling (`webhookThrottleRateLimit` requests a second,
 *   `webhookThrottleBurstLimit` at once): past them API Gateway answers 429 itself and the function
 *   is not invoked, so a flood of forged deliveries costs nothing but the 429s;
 * - the webhook function's reserved concurrency (`webhookReservedConcurrency`): a flood cannot take
 *   the account's whole Lambda concurrency from the launcher and the hook validators (which must
 *   report to CodeDeploy), and the webhook keeps capacity of its own when other functions are busy.
 *
 * osls (Serverless v3) has no setting for HTTP API throttling, so both are `resources.extensions`
 * of the resources it generates (`HttpApiStage`, `GithubDashwebhookLambdaFunction`).
 *
 * Why the defaults (README, "Deploying"): GitHub never redelivers a delivery that failed, so the
 * limits must stay well above real traffic. Each job is three or four deliveries, and JIT
 * registration caps launches at about 160 a minute per GitHub App, so sustained useful traffic
 * is about 11 deliveries a second: 50 a second leaves more than four times that, and a burst of 100
 * takes a large matrix's `queued` deliveries at once. A reserved concurrency of at least the burst
 * means every request the API lets through finds an instance (a delivery takes well under a second).
 * Lambda keeps 100 of the account's concurrency unreserved, so reserving 100 needs a quota of at
 * least 200 (the usual quota is 1,000, leaving 900 to everything else); new accounts start lower:
 * set `webhookReservedConcurrency: none` there until the quota is raised.
 */
"use strict";

const { param, RunwayConfigForStageError } = require("./serverless-context.cjs");

const DEFAULTS = { rateLimit: 50, burstLimit: 100, reservedConcurrency: 100 };

function positive(name, value, { integer }) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new RunwayConfigForStageError(`params.${name} must be a ${integer ? "whole number" : "number"} above 0, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** `webhookReservedConcurrency`: a whole number above 0, or `none` for the account's unreserved pool. */
function reservedConcurrency(value) {
  if (value === "none") return undefined;
  if (Number(value) === 0) {
    throw new RunwayConfigForStageError(
      "params.webhookReservedConcurrency: 0 would stop the webhook (Lambda throttles every invocation); use a whole number above 0, or none to draw on the account's unreserved concurrency",
    );
  }
  return positive("webhookReservedConcurrency", value, { integer: true });
}

/** The validated limits of the stage being packaged. */
async function webhookLimits(variables) {
  const limits = {
    rateLimit: positive("webhookThrottleRateLimit", await param(variables, "webhookThrottleRateLimit", DEFAULTS.rateLimit), { integer: false }),
    burstLimit: positive("webhookThrottleBurstLimit", await param(variables, "webhookThrottleBurstLimit", DEFAULTS.burstLimit), { integer: true }),
    reservedConcurrency: reservedConcurrency(await param(variables, "webhookReservedConcurrency", DEFAULTS.reservedConcurrency)),
  };
  if (limits.reservedConcurrency !== undefined && limits.reservedConcurrency < limits.burstLimit) {
    console.warn(
      `Runway: params.webhookReservedConcurrency (${limits.reservedConcurrency}) is below params.webhookThrottleBurstLimit (${limits.burstLimit}): a burst the API lets through can find every instance busy, and GitHub does not redeliver what Lambda then refuses`,
    );
  }
  return limits;
}

module.exports = {
  DEFAULTS,
  webhookLimits,
  async resources(variables) {
    const limits = await webhookLimits(variables);
    return {
      extensions: {
        HttpApiStage: { Properties: { DefaultRouteSettings: { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit } } },
        ...(limits.reservedConcurrency === undefined ? {} : { GithubDashwebhookLambdaFunction: { Properties: { ReservedConcurrentExecutions: limits.reservedConcurrency } } }),
      },
    };
  },
};
