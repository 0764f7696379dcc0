/** Builders for `workflow_job` deliveries and their signatures, shared by unit and integration tests. */
export { deliveryHeaders, sign, workflowJob, type JobOptions } from "../../lib/github/sample-delivery.ts";
