import { afterEach, describe, expect, it } from "vitest";
import { httpCheckSchema } from "../../../lib/config/deploy-checks-schema.ts";
import { httpMeasure, statusMatches } from "../../../lib/deploy/checks/http.ts";
import { CheckSetupError } from "../../../lib/deploy/errors.ts";
import { ecsDeployment, envFor, json, lambdaDeployment, startGreen, type Green } from "./support.ts";

let green: Green | undefined;
afterEach(async () => {
  await green?.close();
  green = undefined;
});

const check = (over: Record<string, unknown>) => httpCheckSchema.parse({ type: "http", name: "health", url: "http://127.0.0.1:9/", ...over });

describe("http check", () => {
  it("passes a healthy answer and records status and latency", async () => {
    let seen: { url?: string; auth?: string } = {};
    green = await startGreen((_, req, res) => {
      seen = { url: req.url, auth: req.headers["x-deployment"] as string };
      json(res, 200, { status: "ok", version: "2.0.0" });
    });
    const measure = httpMeasure(
      check({
        url: `${green.url}/health?d={deploymentId}&token=secret`,
        headers: { "x-deployment": "{deploymentId}" },
        expect: { status: 200, bodyContains: '"version":"2.0.0"', bodyMatches: '^\\{"status":"ok"', maxLatency: "5s" },
      }),
      envFor(ecsDeployment()),
    );
    const found = await measure(AbortSignal.timeout(5_000));
    expect(found.ok).toBe(true);
    expect(seen).toEqual({ url: "/health?d=d-TEST12345&token=secret", auth: "d-TEST12345" });
    expect(found.data).toMatchObject({ status: 200, url: `${green.url}/health` });
    expect(found.summary).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/health → 200 in \d+ ms$/);
    expect(found.summary).not.toContain("secret");
  });

  it("fails a wrong body and says what was missing", async () => {
    green = await startGreen((_, __, res) => json(res, 200, { status: "ok", version: "1.9.0" }));
    const found = await httpMeasure(check({ url: `${green.url}/health`, expect: { bodyContains: '"version":"2.0.0"' } }), envFor(ecsDeployment()))(AbortSignal.timeout(5_000));
    expect(found.ok).toBe(false);
    expect(found.summary).toContain(`body does not contain '"version":"2.0.0"'`);
  });

  it("fails an unexpected status without following redirects", async () => {
    green = await startGreen((_, __, res) => res.writeHead(302, { location: "/login" }).end());
    const found = await httpMeasure(check({ url: `${green.url}/health` }), envFor(ecsDeployment()))(AbortSignal.timeout(5_000));
    expect(found).toMatchObject({ ok: false, data: { status: 302 } });
    expect(found.summary).toContain("status 302, expected 2xx");
  });

  it("fails an answer slower than maxLatency", async () => {
    green = await startGreen((_, __, res) => setTimeout(() => json(res, 200, {}), 60));
    const found = await httpMeasure(check({ url: green.url, expect: { maxLatency: "10ms" } }), envFor(ecsDeployment()))(AbortSignal.timeout(5_000));
    expect(found.ok).toBe(false);
    expect(found.summary).toMatch(/took \d+ ms, more than maxLatency 10 ms/);
  });

  it("cannot fill a Lambda placeholder in an ECS deployment", async () => {
    const measure = httpMeasure(check({ url: "http://127.0.0.1:9/{targetVersion}" }), envFor(ecsDeployment()));
    await expect(measure(AbortSignal.timeout(1_000))).rejects.toThrow(CheckSetupError);
    expect(() => httpMeasure(check({ url: "http://x/{targetVersion}" }), envFor(lambdaDeployment()))).not.toThrow();
  });

  it("matches statuses and status classes", () => {
    expect(statusMatches(204, ["2xx"])).toBe(true);
    expect(statusMatches(204, ["200", "201"])).toBe(false);
    expect(statusMatches(503, ["5xx", "200"])).toBe(true);
  });
});
