/**
 * The App's webhook delivery log, as GitHub serves it to the App (its JWT), and the fake's own way
 * in for a delivery sent by hand:
 *
 *   GET  /app/hook/deliveries?per_page=&cursor=&status=   newest first, `cursor` paging in `link`
 *   GET  /app/hook/deliveries/{delivery_id}               with the request sent and the answer got
 *   POST /app/hook/deliveries/{delivery_id}/attempts      202; sent again (same body and guid,
 *                                                          `redelivery: true`, a new id) right after
 *   POST /_fake/deliveries                                 (the fake's own, no auth) sign the body
 *        with the webhook secret, send it, log it, and answer what the webhook answered
 *        (`runway deliver` against the local stack). `X-GitHub-Event` names the event (default
 *        workflow_job); `X-Runway-Sign-With` signs with another secret (a misconfigured webhook).
 */
import type { components } from "@octokit/openapi-types";
import type { FakeDelivery } from "./deliveries.ts";
import { errorBody, readJson } from "./http.ts";
import { appCaller, notFound, type Answer, type Route, type RouteContext } from "./route-kit.ts";

const LIST_DOCS = "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook";
const GET_DOCS = "https://docs.github.com/rest/apps/webhooks#get-a-delivery-for-an-app-webhook";
const REDELIVER_DOCS = "https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook";

export const DELIVERY_ROUTES: Route[] = [
  { method: "GET", pattern: /^\/app\/hook\/deliveries$/, name: "list-deliveries", handler: listDeliveries },
  { method: "GET", pattern: /^\/app\/hook\/deliveries\/(\d+)$/, name: "get-delivery", handler: (c, [id]) => getDelivery(c, id!) },
  { method: "POST", pattern: /^\/app\/hook\/deliveries\/(\d+)\/attempts$/, name: "redeliver", handler: (c, [id]) => redeliver(c, id!) },
  { method: "POST", pattern: /^\/_fake\/deliveries$/, name: "send-delivery", handler: sendByHand },
];

type DeliveryItemJson = components["schemas"]["hook-delivery-item"];
type DeliveryJson = components["schemas"]["hook-delivery"];

/** GitHub's `hook-delivery-item`: the list's shape. */
function itemJson(d: FakeDelivery): DeliveryItemJson {
  return {
    id: d.id,
    guid: d.guid,
    delivered_at: d.delivered_at,
    redelivery: d.redelivery,
    duration: d.duration,
    status: d.status,
    status_code: d.status_code,
    event: d.event,
    action: d.action,
    installation_id: d.installation_id,
    repository_id: d.repository_id,
    throttled_at: d.throttled_at,
  };
}

function listDeliveries(ctx: RouteContext): Answer {
  const refused = appCaller(ctx);
  if (refused) return refused;
  const params = ctx.url.searchParams;
  const perPage = Math.min(100, Math.max(1, Number(params.get("per_page")) || 30));
  const cursor = params.get("cursor");
  const status = params.get("status");
  const invalid = (why: string): Answer => ({ status: 422, body: errorBody(422, `Validation Failed: ${why}`, LIST_DOCS), caller: "app", note: why });
  if (status !== null && status !== "success" && status !== "failure") return invalid(`status must be success or failure, not ${status}`);
  // A cursor names the delivery a page starts at (GitHub's are opaque; these are `v1_<id>`).
  const from = cursor === null ? Number.POSITIVE_INFINITY : Number(/^v1_(\d+)$/.exec(cursor)?.[1] ?? Number.NaN);
  if (Number.isNaN(from)) return invalid(`cursor ${cursor} is not one this API gave`);
  const ok = (d: FakeDelivery) => d.status_code >= 200 && d.status_code < 300;
  const newestFirst = [...ctx.state.deliveries]
    .filter((d) => d.id <= from && (status === null || (status === "success") === ok(d)))
    .sort((a, b) => b.id - a.id);
  const page = newestFirst.slice(0, perPage);
  const next = newestFirst[perPage];
  const headers: Record<string, string> = {};
  if (next) {
    const url = new URL(`${ctx.apiUrl}${ctx.path}`);
    url.searchParams.set("per_page", String(perPage));
    if (status !== null) url.searchParams.set("status", status);
    url.searchParams.set("cursor", `v1_${next.id}`);
    headers.link = `<${url.href}>; rel="next"`;
  }
  return { status: 200, body: page.map(itemJson), headers, caller: "app", note: `${page.length} deliveries${next ? ", more" : ""}` };
}

function getDelivery(ctx: RouteContext, id: string): Answer {
  const refused = appCaller(ctx);
  if (refused) return refused;
  const d = ctx.state.deliveries.find((x) => x.id === Number(id));
  if (!d) return { ...notFound(GET_DOCS), caller: "app", note: `no delivery ${id}` };
  const body: DeliveryJson = {
    ...itemJson(d),
    id: d.id,
    installation_id: d.installation_id,
    repository_id: d.repository_id,
    ...(d.url ? { url: d.url } : {}),
    request: { headers: d.request.headers, payload: d.request.payload },
    response: d.response,
  };
  return {
    status: 200,
    body,
    caller: "app",
    note: `delivery ${id} ${d.event}${d.action ? ` ${d.action}` : ""} ${d.status_code}`,
  };
}

function redeliver(ctx: RouteContext, id: string): Answer {
  const refused = appCaller(ctx);
  if (refused) return refused;
  const d = ctx.state.deliveries.find((x) => x.id === Number(id));
  if (!d) return { ...notFound(REDELIVER_DOCS), caller: "app", note: `no delivery ${id}` };
  // GitHub accepts at once and sends shortly after; the attempt is logged as a delivery of its own.
  void ctx.sender.deliver(d.event, structuredClone(d.request.payload), { guid: d.guid, redelivery: true });
  return { status: 202, body: {}, caller: "app", note: `delivery ${id} (${d.guid}) sent again` };
}

async function sendByHand(ctx: RouteContext): Promise<Answer> {
  const event = String(ctx.req.headers["x-github-event"] ?? "workflow_job");
  const secret = ctx.req.headers["x-runway-sign-with"];
  const payload = await readJson(ctx.req);
  if (payload === null || payload === undefined || typeof payload !== "object" || Array.isArray(payload)) {
    return { status: 400, body: errorBody(400, "GitHub only sends a JSON object as a webhook payload"), note: "not a JSON object" };
  }
  const d = await ctx.sender.deliver(event, payload as Record<string, any>, typeof secret === "string" ? { secret } : {});
  const headers = { "x-github-delivery": d.guid, "x-github-hook-delivery-id": String(d.id) };
  const note = `delivery ${d.id} ${event}${d.action ? ` ${d.action}` : ""}: ${d.status}`;
  if (d.status_code === 0) return { status: 502, body: errorBody(502, `the local GitHub could not deliver it to the webhook: ${d.status}`), headers, note };
  const answer = d.response.payload ?? "";
  try {
    return { status: d.status_code, body: JSON.parse(answer), headers, note };
  } catch {
    return { status: d.status_code, text: answer, headers, note };
  }
}
