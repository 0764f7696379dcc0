/**
 * The fake as a GitHub Enterprise Server at its own host: the REST API under `/api/v3`, web pages
 * at the root of the same host (github.com keeps them apart: api.github.com and github.com), and
 * `workflow_job` deliveries without the fields the server's release does not send. Releases before
 * 3.7 send no `workflow_name`; GitHub's documentation of 3.3–3.5 shows no `head_branch` or
 * `run_attempt` either (lib/routing/nameless.ts).
 */
import { type DeliverOptions, type FakeDelivery, WebhookSender } from "./deliveries.ts";

/** Where an Enterprise Server serves its REST API on its host. */
export const ENTERPRISE_API_PATH = "/api/v3";

/** `workflow_job` fields an older Enterprise Server leaves out of its deliveries. */
export type EnterpriseOmittedField = "workflow_name" | "head_branch" | "run_attempt";

export interface EnterpriseServerOptions {
  /** Left out of every `workflow_job` delivery the fake sends (none by default: a current release). */
  withoutFields?: readonly EnterpriseOmittedField[];
}

/**
 * The web address that goes with the fake's API address: an Enterprise Server's host for
 * `…/api/v3`, else github.com (the fake then plays github.com, whose API alone is local).
 *
 * @example
 * webUrlOf("http://127.0.0.1:4000/api/v3"); // "http://127.0.0.1:4000"
 * webUrlOf("http://127.0.0.1:3000/github/api"); // "https://github.com"
 */
export function webUrlOf(apiUrl: string): string {
  return apiUrl.endsWith(ENTERPRISE_API_PATH) ? apiUrl.slice(0, -ENTERPRISE_API_PATH.length) : "https://github.com";
}

/** A webhook sender whose `workflow_job` deliveries lack `fields`, as an older server's do. */
export class EnterpriseWebhookSender extends WebhookSender {
  readonly #fields: readonly EnterpriseOmittedField[];

  constructor(fields: readonly EnterpriseOmittedField[], ...rest: ConstructorParameters<typeof WebhookSender>) {
    super(...rest);
    this.#fields = fields;
  }

  override deliver(event: string, payload: Record<string, any>, options?: DeliverOptions): Promise<FakeDelivery> {
    if (event !== "workflow_job" || typeof payload.workflow_job !== "object" || payload.workflow_job === null) return super.deliver(event, payload, options);
    const job = { ...payload.workflow_job };
    for (const field of this.#fields) delete job[field];
    return super.deliver(event, { ...payload, workflow_job: job }, options);
  }
}
