/**
 * Which measurement each check type takes. Each kind's module (and the SDK client it needs) is
 * imported on its first measurement, so a hook that only checks HTTP never loads the ECS, ELB,
 * CloudWatch or Lambda clients at cold start. Adding a check kind means a schema in
 * config/deploy-checks-schema.ts, a file here, and one line below.
 */
import type { CheckConfig } from "../../config/deploy-schema.ts";
import type { CheckEnv, Measure } from "../types.ts";

/** The measurement function of a configured check. */
export function measureFor(check: CheckConfig, env: CheckEnv): Measure {
  switch (check.type) {
    case "http":
      return lazy(async () => (await import("./http.ts")).httpMeasure(check, env));
    case "ecs":
      return lazy(async () => (await import("./ecs.ts")).ecsMeasure(check, env));
    case "targetHealth":
      return lazy(async () => (await import("./target-health.ts")).targetHealthMeasure(check, env));
    case "alarms":
      return lazy(async () => (await import("./alarms.ts")).alarmsMeasure(check, env));
    case "lambda":
      return lazy(async () => (await import("./lambda.ts")).lambdaMeasure(check, env));
    case "cloudwatch":
      return lazy(async () => (await import("./cloudwatch.ts")).cloudWatchMeasure(check, env));
  }
}

/** A measurement built on first use; later measurements reuse it (and whatever it caches). */
function lazy(build: () => Promise<Measure>): Measure {
  let measure: Promise<Measure> | undefined;
  return async (signal) => {
    measure ??= build();
    return (await measure)(signal);
  };
}
