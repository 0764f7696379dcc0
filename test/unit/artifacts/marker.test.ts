/**
 * The conclusion marker's key: under the environment the runner was launched for, which is what
 * lets each environment's runner role read its own markers only (buildspecs/README.md, "S3 layout").
 */
import { describe, expect, it } from "vitest";
import { markerKey } from "../../../lib/artifacts/marker.ts";
import { runnerNameFor } from "../../../lib/jobs/runner-name.ts";

describe("markerKey", () => {
  it("puts the marker under the runner's environment, as the buildspec's marker_key does", () => {
    expect(markerKey("runway-prd-42-1-1a2b3c4d")).toBe("markers/prd/runway-prd-42-1-1a2b3c4d.json");
    expect(markerKey(runnerNameFor("prd-eu", 4242, 3, "0f3c9a527d1e"))).toBe("markers/prd-eu/runway-prd-eu-4242-3-0f3c9a52.json");
  });

  it("refuses a runner name Runway does not give, saying what one looks like", () => {
    for (const name of ["my-runner", "runway-dev-42-1-xyz", "runway-Dev-42-1-1a2b3c4d", "runway-../prd-42-1-1a2b3c4d"]) {
      expect(() => markerKey(name), name).toThrow(/not a runner name Runway gives \(runway-<environment>-<job id>-<attempt>-<8 hex>\)/);
    }
  });
});
