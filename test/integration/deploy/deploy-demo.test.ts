/** The `npm start` blue/green demo: one healthy green that passes, one stale green that fails. */
import { afterEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { startAwsEmulator, type AwsEmulator } from "../../../lib/local/aws-emulator/server.ts";
import { runDeployDemo } from "../../../lib/local/deploy-demo.ts";

let aws: AwsEmulator | undefined;
afterEach(async () => {
  await aws?.close();
  for (const name of ["CODEDEPLOY", "ECS", "ELASTIC_LOAD_BALANCING_V2", "CLOUDWATCH", "LAMBDA"]) delete process.env[`AWS_ENDPOINT_URL_${name}`];
  resetAwsClients();
});

describe("deploy demo", () => {
  it("shows a healthy green pass and a stale one fail, with what CodeDeploy received", async () => {
    aws = await startAwsEmulator();
    const lines: string[] = [];
    const pass = await runDeployDemo({ emulator: aws, outcome: "pass", print: (line) => lines.push(line) });
    const fail = await runDeployDemo({ emulator: aws, outcome: "fail", print: (line) => lines.push(line) });
    expect([pass.reportedStatus, fail.reportedStatus]).toEqual(["Succeeded", "Failed"]);
    expect(pass.reports).toHaveLength(1);
    expect(lines).toContain("  CodeDeploy received: Succeeded (1 report)");
    expect(lines).toContain("  CodeDeploy received: Failed (1 report)");
    expect(lines.some((line) => line.includes("FAIL green-health [http]") && line.includes(`body does not contain '"version":"2.0.0"'`))).toBe(true);
  });
});
