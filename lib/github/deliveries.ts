/**
 * The GitHub App's webhook deliveries, as GitHub keeps them for about three days: every attempt at
 * sending an event to the App's webhook, with the answer it got. GitHub never sends a failed one
 * again by itself; the App can ask it to.
 *
 *   GET  /app/hook/deliveries?per_page=&cursor=            newest first; the next page's cursor is in `link`
 *   GET  /app/hook/deliveries/{delivery_id}                the request GitHub sent (headers, payload), the answer
 *   POST /app/hook/deliveries/{delivery_id}/attempts       202: sent again, same guid, `redelivery: true`, a new id
 *
 * All three take the App's JWT (octokit.ts `appClient`), not an installation token, and need no
 * permission beyond being the App. What GitHub answers becomes a typed value here, once.
 */
import type { Octokit } from "@octokit/core";
import { toGitHubApiError } from "./api-error.ts";
import { appClient } from "./octokit.ts";
import { jobKey, stringAt, type JobKey } from "./workflow-job.ts";

type Requester = Pick<Octokit, "request">;

/** One attempt at a delivery, as the list shows it (GitHub's `hook-delivery-item`). */
export interface HookDelivery {
  id: number;
  /** The event's GUID (`X-GitHub-Delivery`): every attempt at one event shares it. */
  guid: string;
  /** Epoch milliseconds. */
  deliveredAt: number;
  redelivery: boolean;
  /** The webhook's HTTP status; 0 when GitHub got no answer (could not connect, timed out). */
  statusCode: number;
  /** GitHub's words: `OK`, `Invalid HTTP Response: 503`, `failed to connect` … */
  status: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
}

/** The job a `workflow_job` delivery is about, read from the payload GitHub sent. */
export interface DeliveredJob extends JobKey {
  runnerName: string | undefined;
}

/** One attempt with what it carried: the job of a `workflow_job` payload (undefined for other events). */
export interface HookDeliveryDetail extends HookDelivery {
  job: DeliveredJob | undefined;
}

export interface HookDeliveryPage {
  deliveries: HookDelivery[];
  /** The cursor of the next (older) page; undefined on the last page. */
  nextCursor: string | undefined;
}

/** The App's delivery log, as the redeliverer uses it (lib/runners/redeliver.ts). */
export interface DeliveryLog {
  /** One page, newest first, starting at `cursor` (the newest when undefined). */
  list(cursor?: string): Promise<HookDeliveryPage>;
  get(deliveryId: number): Promise<HookDeliveryDetail>;
  redeliver(deliveryId: number): Promise<void>;
}

/** GitHub's largest page. */
export const MAX_PER_PAGE = 100;

const DOCS_HINT = "check GITHUB_APP_ID and that the private key is one of the App's current keys (the App's settings → Private keys)";

/** Whether the webhook's answer was a success (2xx). */
export const succeeded = (delivery: Pick<HookDelivery, "statusCode">): boolean => delivery.statusCode >= 200 && delivery.statusCode < 300;

/**
 * One page of the App's deliveries, newest first.
 *
 * @throws GitHubApiError: retryable for 5xx, rate limits and network errors.
 * @example
 * const page = await listDeliveries(await appClient(), { perPage: 100 });
 * const older = await listDeliveries(app, { perPage: 100, cursor: page.nextCursor });
 */
export async function listDeliveries(octokit: Requester, options: { perPage?: number; cursor?: string | undefined } = {}): Promise<HookDeliveryPage> {
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, options.perPage ?? MAX_PER_PAGE));
  try {
    const { data, headers } = await octokit.request("GET /app/hook/deliveries", { per_page: perPage, ...(options.cursor ? { cursor: options.cursor } : {}) });
    return { deliveries: data.map(deliveryOf), nextCursor: nextCursor(headers.link) };
  } catch (error) {
    throw toGitHubApiError(error, { action: "list the GitHub App's webhook deliveries", hints: { 401: DOCS_HINT } });
  }
}

/**
 * One delivery with its payload.
 *
 * @throws GitHubApiError: 404 (permanent) once GitHub no longer keeps it.
 * @example
 * const { job } = await getDelivery(app, 12345678);
 * job?.jobId; // the workflow job it was about
 */
export async function getDelivery(octokit: Requester, deliveryId: number): Promise<HookDeliveryDetail> {
  try {
    const { data } = await octokit.request("GET /app/hook/deliveries/{delivery_id}", { delivery_id: deliveryId });
    const payload = data.request?.payload ?? undefined;
    const key = data.event === "workflow_job" ? jobKey(payload) : undefined;
    return { ...deliveryOf(data), job: key && { ...key, runnerName: stringAt(payload, "workflow_job", "runner_name") } };
  } catch (error) {
    throw toGitHubApiError(error, { action: `read the GitHub App's webhook delivery ${deliveryId}`, hints: { 401: DOCS_HINT, 404: `delivery ${deliveryId} is gone (GitHub keeps deliveries for about three days)` } });
  }
}

/**
 * Ask GitHub to send a delivery again: the same payload and guid, as a new delivery with
 * `redelivery: true`. GitHub answers 202 and sends it shortly after.
 *
 * @throws GitHubApiError: 404 / 422 (permanent) for a delivery GitHub no longer keeps or will not resend.
 * @example
 * await redeliver(app, 12345678);
 */
export async function redeliver(octokit: Requester, deliveryId: number): Promise<void> {
  try {
    await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: deliveryId });
  } catch (error) {
    throw toGitHubApiError(error, { action: `redeliver the GitHub App's webhook delivery ${deliveryId}`, hints: { 401: DOCS_HINT } });
  }
}

/**
 * The App's delivery log through the App's own client (JWT), created once per container.
 *
 * @example
 * const log = appDeliveryLog();
 * const { deliveries } = await log.list();
 */
export function appDeliveryLog(options: { perPage?: number } = {}, env: NodeJS.ProcessEnv = process.env): DeliveryLog {
  return {
    list: async (cursor) => listDeliveries(await appClient(env), { perPage: options.perPage, cursor }),
    get: async (deliveryId) => getDelivery(await appClient(env), deliveryId),
    redeliver: async (deliveryId) => redeliver(await appClient(env), deliveryId),
  };
}

interface DeliveryItemShape {
  id: number | bigint;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | bigint | null;
  repository_id: number | bigint | null;
}

function deliveryOf(item: DeliveryItemShape): HookDelivery {
  const id = (value: number | bigint | null) => (value === null || value === undefined ? null : Number(value));
  return {
    id: Number(item.id),
    guid: item.guid,
    deliveredAt: Date.parse(item.delivered_at),
    redelivery: item.redelivery,
    statusCode: item.status_code,
    status: item.status,
    event: item.event,
    action: item.action ?? null,
    installationId: id(item.installation_id),
    repositoryId: id(item.repository_id),
  };
}

/** The `cursor` of the `rel="next"` link, if there is one. */
function nextCursor(link: string | undefined): string | undefined {
  const next = link?.split(",").find((part) => /rel="next"/.test(part));
  const url = next ? /<([^>]+)>/.exec(next)?.[1] : undefined;
  if (!url) return undefined;
  try {
    return new URL(url).searchParams.get("cursor") ?? undefined;
  } catch {
    return undefined;
  }
}
