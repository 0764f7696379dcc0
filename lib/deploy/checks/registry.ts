/**
 * Which measurement each check type takes. Adding a check kind means a schema in
 * config/deploy-checks-schema.ts, a file here, and one line below.
 */
import type { CheckConfig } from "../../config/deploy-schema.ts";
import type { CheckEnv, Measure } from "../types.ts";
import { alarmsMeasure } from "./alarms.ts";
import { ecsMeasure } from "./ecs.ts";
import { httpMeasure } from "./http.ts";
import { lambdaMeasure } from "./lambda.ts";
import { targetHealthMeasure } from "./target-health.ts";

/** The measurement function of a configured check. */
export function measureFor(check: CheckConfig, env: CheckEnv): Measure {
  switch (check.type) {
    case "http":
      return httpMeasure(check, env);
    case "ecs":
      return ecsMeasure(check, env);
    case "targetHealth":
      return targetHealthMeasure(check, env);
    case "alarms":
      return alarmsMeasure(check, env);
    case "lambda":
      return lambdaMeasure(check, env);
  }
}
