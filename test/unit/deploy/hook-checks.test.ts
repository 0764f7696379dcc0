import { describe, expect, it } from "vitest";
import { deploySchema } from "../../../lib/config/deploy-schema.ts";
import { DeployConfigError } from "../../../lib/deploy/errors.ts";
import { checksFor } from "../../../lib/deploy/hook-checks.ts";

const config = deploySchema.parse({
  applications: {
    shop: {
      deploymentGroups: {
        "shop-prd": { hooks: { AfterAllowTestTraffic: { checks: [{ type: "alarms", names: ["prd-5xx"] }] } } },
        "*": { hooks: { AfterAllowTestTraffic: { checks: [{ type: "alarms", names: ["any-5xx"] }] }, BeforeInstall: { checks: [] } } },
      },
    },
  },
});

describe("finding a hook's checks", () => {
  it("prefers the group's own entry over '*'", () => {
    expect(checksFor(config, "shop", "shop-prd", "AfterAllowTestTraffic")).toMatchObject([{ names: ["prd-5xx"] }]);
    expect(checksFor(config, "shop", "shop-dev", "AfterAllowTestTraffic")).toMatchObject([{ names: ["any-5xx"] }]);
  });

  it("accepts an explicit empty list", () => {
    expect(checksFor(config, "shop", "shop-dev", "BeforeInstall")).toEqual([]);
  });

  it("says what to add when nothing is configured", () => {
    expect(() => checksFor(config, "cart", "cart-prd", "AfterAllowTraffic")).toThrow(/no checks for CodeDeploy application "cart": add deploy.applications.cart \(configured: shop\)/);
    expect(() => checksFor(config, "shop", "shop-prd", "AfterAllowTraffic")).toThrow(
      "no checks for AfterAllowTraffic in shop/shop-prd: add deploy.applications.shop.deploymentGroups.shop-prd.hooks.AfterAllowTraffic.checks (an empty list passes the hook on purpose)",
    );
    expect(() => checksFor(undefined, "shop", "shop-prd", "AfterAllowTraffic")).toThrow(DeployConfigError);
  });
});
