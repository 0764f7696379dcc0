/**
 * The conclusion marker: how a runner build learns how its job ended. The runner process exits 0
 * whatever happened, so the build's post_build reads `markers/<environment>/<runner-name>.json`
 * from the artifacts bucket and fails when the job failed (buildspecs/README.md). Written when
 * GitHub's `workflow_job` `completed` event arrives, for every conclusion, success included. The
 * environment in the key is what lets each environment's runner role read its own markers only.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../aws/s3.ts";
import { environmentOfRunner } from "../jobs/runner-name.ts";

export interface ConclusionMarker {
  conclusion: string;
  failedSteps: string[];
  jobId: number;
  runAttempt: number;
  htmlUrl?: string | undefined;
}

/**
 * The marker's key for a runner, under the environment its name says it was launched for; the
 * buildspec builds the same key from RUNWAY_ENVIRONMENT and RUNWAY_RUNNER_NAME.
 *
 * @throws Error for a runner name Runway did not give (`runway-<environment>-<job>-<attempt>-<8 hex>`):
 * no build of Runway's waits for that runner's marker, and no runner role could read it.
 * @example
 * markerKey("runway-prd-42-1-1a2b3c4d"); // "markers/prd/runway-prd-42-1-1a2b3c4d.json"
 */
export function markerKey(runnerName: string): string {
  const environment = environmentOfRunner(runnerName);
  if (!environment) {
    throw new Error(`"${runnerName}" is not a runner name Runway gives (runway-<environment>-<job id>-<attempt>-<8 hex>): it has no conclusion marker`);
  }
  return `markers/${environment}/${runnerName}.json`;
}

/**
 * @example
 * await writeMarker("runway-artifacts-dev", "runway-dev-42-1-1a2b3c4d", { conclusion: "failure", failedSteps: ["Deploy"], jobId: 42, runAttempt: 1 });
 */
export async function writeMarker(bucket: string, runnerName: string, marker: ConclusionMarker): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({ Bucket: bucket, Key: markerKey(runnerName), Body: JSON.stringify(marker), ContentType: "application/json" }),
  );
}
