/**
 * The conclusion marker: how a runner build learns how its job ended. The runner process exits 0
 * whatever happened, so the build's post_build reads `markers/<runner-name>.json` from the
 * artifacts bucket and fails when the job failed (buildspecs/README.md). Written when GitHub's
 * `workflow_job` `completed` event arrives, for every conclusion, success included.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../aws/clients.ts";

export interface ConclusionMarker {
  conclusion: string;
  failedSteps: string[];
  jobId: number;
  runAttempt: number;
  htmlUrl?: string | undefined;
}

/** The marker's key for a runner; the buildspec builds the same key from RUNWAY_RUNNER_NAME. */
export const markerKey = (runnerName: string) => `markers/${runnerName}.json`;

/**
 * @example
 * await writeMarker("runway-artifacts-dev", "runway-dev-42-1-1a2b3c4d", { conclusion: "failure", failedSteps: ["Deploy"], jobId: 42, runAttempt: 1 });
 */
export async function writeMarker(bucket: string, runnerName: string, marker: ConclusionMarker): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({ Bucket: bucket, Key: markerKey(runnerName), Body: JSON.stringify(marker), ContentType: "application/json" }),
  );
}
