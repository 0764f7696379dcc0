/**
 * The App's webhook, as GitHub drives it: each event signed with the webhook secret
 * (`X-Hub-Signature-256` over the raw bytes) and POSTed once, given up after 10 s, never retried
 * by itself. Every attempt lands in the App's delivery log in GitHub's hook-delivery shape, which
 * is what `GET /app/hook/deliveries` lists and redelivery works from.
 *
 * Faults: a delivery can be dropped (GitHub could not reach the webhook: logged as failed, never
 * received), to reproduce a lost `in_progress` or `completed`. A webhook that is down or answers
 * 5xx is logged as GitHub logs it (`failed to connect` / status 0, `Invalid HTTP Response: 503`).
 * A redelivery (`POST /app/hook/deliveries/{id}/attempts`, delivery-routes.ts) sends the same
 * body again under the same guid, as a new delivery marked `redelivery: true`.
 */
import { randomUUID } from "node:crypto";
import { deliveryHeaders } from "../../github/sample-delivery.ts";

/** One attempt, as GitHub's `hook-delivery-item`, plus the request it made (for redelivery). */
export interface FakeDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  /** Seconds. */
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: string | null;
  /** Not in the list's shape: what was sent, for the single-delivery view and redelivery. */
  request: { headers: Record<string, string> | null; payload: Record<string, any> };
  /** Not in the list's shape: what the webhook answered (null for both when it did not). */
  response: { headers: Record<string, string> | null; payload: string | null };
  /** Not in the list's shape: where it was sent. */
  url: string | null;
  /** The job it is about, for tests (`workflow_job` only). */
  jobId: number | null;
}

export interface DeliverOptions {
  /** The event's GUID; a redelivery passes the original's. */
  guid?: string;
  redelivery?: boolean;
  /** Sign with this secret instead of the webhook's (a webhook configured with another secret). */
  secret?: string;
}

export interface DropSpec {
  event?: string;
  action?: string;
  jobId?: number;
  /** How many matching deliveries are dropped (default 1). */
  times?: number;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

/** GitHub gives up on a delivery after ten seconds. */
const TIMEOUT_MS = 10_000;
/** GitHub keeps the start of the webhook's answer, not all of it. */
const MAX_RESPONSE_CHARS = 10_000;

interface SendOutcome {
  status: string;
  status_code: number;
  request: Record<string, string> | null;
  response: FakeDelivery["response"];
  url: string | null;
}

export class WebhookSender {
  #target: WebhookTarget | undefined;
  #drops: Required<DropSpec>[] = [];
  #nextId = 1;
  readonly #log: FakeDelivery[];
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Per job: deliveries about one job go out one after the other, as their events happened. */
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #print: ((line: string) => void) | undefined;
  readonly #appId: string;

  constructor(log: FakeDelivery[], appId: number | string, print?: (line: string) => void) {
    this.#log = log;
    this.#appId = String(appId);
    this.#print = print;
  }

  /** Where deliveries go: the App's webhook URL and secret. Unset, deliveries are logged as not sent. */
  configure(target: WebhookTarget | undefined): void {
    this.#target = target;
  }

  /** Drop the next delivery (or `times` of them) matching the spec. */
  drop(spec: DropSpec): void {
    this.#drops.push({ event: spec.event ?? "*", action: spec.action ?? "*", jobId: spec.jobId ?? -1, times: spec.times ?? 1 });
  }

  clear(): void {
    this.#drops = [];
  }

  /** Sign and POST one event; resolves with the attempt's log entry once the webhook answered. */
  deliver(event: string, payload: Record<string, any>, options: DeliverOptions = {}): Promise<FakeDelivery> {
    const jobId = event === "workflow_job" && typeof payload.workflow_job?.id === "number" ? (payload.workflow_job.id as number) : null;
    const key = jobId === null ? randomUUID() : `job:${jobId}`;
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const attempt = previous.catch(() => undefined).then(() => this.#attempt(event, payload, jobId, options));
    this.#chains.set(key, attempt);
    this.#inFlight.add(attempt);
    void attempt.finally(() => {
      this.#inFlight.delete(attempt);
      if (this.#chains.get(key) === attempt) this.#chains.delete(key);
    });
    return attempt;
  }

  /** Resolves once every delivery under way has been answered. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #attempt(event: string, payload: Record<string, any>, jobId: number | null, options: DeliverOptions): Promise<FakeDelivery> {
    const guid = options.guid ?? randomUUID();
    const action = typeof payload.action === "string" ? payload.action : null;
    const started = performance.now();
    const { request, response, url, ...outcome } = await this.#send(event, payload, guid, action, jobId, options.secret);
    const entry: FakeDelivery = {
      id: this.#nextId++,
      guid,
      delivered_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      redelivery: options.redelivery ?? false,
      duration: Math.round(performance.now() - started) / 1000,
      ...outcome,
      event,
      action,
      installation_id: typeof payload.installation?.id === "number" ? payload.installation.id : null,
      repository_id: typeof payload.repository?.id === "number" ? payload.repository.id : null,
      throttled_at: null,
      request: { headers: request, payload: structuredClone(payload) },
      response,
      url,
      jobId,
    };
    this.#log.push(entry);
    // The webhook prints each delivery it answers; what it never answered is only visible here.
    if (entry.status !== "OK") this.#print?.(`github delivery of ${event}${action ? ` ${action}` : ""}${jobId === null ? "" : ` for job ${jobId}`} failed: ${entry.status}`);
    return entry;
  }

  async #send(event: string, payload: Record<string, any>, guid: string, action: string | null, jobId: number | null, secret: string | undefined): Promise<SendOutcome> {
    const target = this.#target;
    const unanswered = { response: { headers: null, payload: null } };
    if (!target) return { status: "not sent: no webhook URL configured", status_code: 0, request: null, url: null, ...unanswered };
    const body = JSON.stringify(payload);
    const headers = {
      ...deliveryHeaders(secret ?? target.secret, body, event, guid),
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": this.#appId,
    };
    const sent = { request: headers, url: target.url };
    if (this.#takeDrop(event, action, jobId)) return { status: "failed to connect", status_code: 0, ...sent, ...unanswered };
    try {
      const response = await fetch(target.url, { method: "POST", headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      const text = (await response.text()).slice(0, MAX_RESPONSE_CHARS);
      return {
        status: response.ok ? "OK" : `Invalid HTTP Response: ${response.status}`,
        status_code: response.status,
        ...sent,
        response: { headers: Object.fromEntries(response.headers), payload: text },
      };
    } catch (error) {
      return { status: (error as Error).name === "TimeoutError" ? "timed out" : "failed to connect", status_code: 0, ...sent, ...unanswered };
    }
  }

  #takeDrop(event: string, action: string | null, jobId: number | null): boolean {
    const drop = this.#drops.find((d) => (d.event === "*" || d.event === event) && (d.action === "*" || d.action === action) && (d.jobId === -1 || d.jobId === jobId));
    if (!drop) return false;
    drop.times -= 1;
    this.#drops = this.#drops.filter((d) => d.times > 0);
    return true;
  }
}
