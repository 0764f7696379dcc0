import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError } from "../../../lib/config/errors.ts";
import { parseConfig } from "../../../lib/config/load.ts";
import { protectionSchema } from "../../../lib/config/protection-schema.ts";

function issues(yaml: string) {
  const result = protectionSchema.safeParse(parse(yaml));
  if (result.success) throw new Error("expected the protection section to be rejected");
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

const environments = `
environments:
  prd:
    workflows: [[{ type: WORKFLOW_NAME, pattern: "^deploy$" }]]
    labels: [runway-prd]
    codebuild: { project: runner-prd }
`;

describe("protection configuration", () => {
  it("parses every condition, with durations in milliseconds, hours in minutes and defaults filled in", () => {
    const config = protectionSchema.parse(
      parse(`
environments:
  Production:
    environment: prd
    validatedIn:
      - staging
      - { environment: qa, soak: 30m, creators: [release-bot] }
    alarms: [shop-5xx]
    window: { timeZone: Europe/Berlin, days: [mon, tue], hours: ["09:00-12:00", "22:00-02:00"] }
  canary:
    window: {}
`),
    );
    expect(config.environments.Production).toEqual({
      environment: "prd",
      validatedIn: [
        { environment: "staging", soak: 0, creators: ["github-actions[bot]"] },
        { environment: "qa", soak: 1_800_000, creators: ["release-bot"] },
      ],
      alarms: { names: ["shop-5xx"], insufficientData: "pass" },
      window: {
        timeZone: "Europe/Berlin",
        days: ["mon", "tue"],
        hours: [
          { from: 540, to: 720, text: "09:00-12:00" },
          { from: 1320, to: 120, text: "22:00-02:00" },
        ],
      },
    });
    expect(config.environments.canary!.window).toEqual({ timeZone: "UTC", days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], hours: [{ from: 0, to: 1440, text: "00:00-24:00" }] });
  });

  it("refuses a rule without conditions, which would approve everything", () => {
    expect(issues("environments: { production: {} }")).toEqual([{ path: "environments.production", message: expect.stringContaining("declare at least one condition") }]);
  });

  it("explains a bad time zone, bad hours, an empty window and an unknown day", () => {
    const found = issues(`
environments:
  a: { window: { timeZone: Mars/Olympus } }
  b: { window: { hours: "9-17" } }
  c: { window: { hours: "25:00-26:00" } }
  d: { window: { hours: "10:00-10:00" } }
  e: { window: { days: [monday] } }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        { path: "environments.a.window.timeZone", message: expect.stringContaining("is not an IANA time zone") },
        { path: "environments.b.window.hours.0", message: expect.stringContaining('expected hours like "09:00-16:00"') },
        { path: "environments.c.window.hours.0", message: expect.stringContaining("is not a range of times of day") },
        { path: "environments.d.window.hours.0", message: expect.stringContaining('for the whole day write "00:00-24:00"') },
        { path: "environments.e.window.days.0", message: expect.stringContaining("days are mon, tue") },
      ]),
    );
  });

  it("refuses names GitHub would take for one environment, and a rule that waits on itself", () => {
    expect(issues("environments: { production: { window: {} }, PRODUCTION: { window: {} } }")).toEqual([
      { path: "environments.PRODUCTION", message: "GitHub environment names ignore case: PRODUCTION and production are the same environment" },
    ]);
    expect(issues("environments: { production: { validatedIn: [Production] } }")).toEqual([
      { path: "environments.production.validatedIn.0", message: expect.stringContaining("cannot require a deployment to itself") },
    ]);
  });

  it("is mounted in runway.yml, and the Runway environment a rule names must exist", () => {
    const config = parseConfig(`${environments}protection:\n  environments:\n    production: { environment: prd, alarms: [shop-5xx] }\n`, "runway.yml");
    expect(config.protection?.environments.production?.environment).toBe("prd");
    let error: unknown;
    try {
      parseConfig(`${environments}protection:\n  environments:\n    production: { environment: prod, alarms: [shop-5xx] }\n`, "runway.yml");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.objectContaining({ field: "protection.environments.production.environment", message: '"prod" is not a Runway environment (known: prd)', line: 9 }),
    ]);
  });
});
