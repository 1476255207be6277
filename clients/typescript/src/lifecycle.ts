// A whole generation driven through a client generated from the OpenAPI document alone: the types come from
// `openapi-typescript openapi.json` (src/schema.d.ts), the calls from openapi-fetch. It compiles under `tsc --strict`
// with no cast and no `any`, and runs against a real server (.ci/run): BASE_URL and API_KEY name it.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Session = components["schemas"]["Session"];
type SessionStatus = components["schemas"]["SessionStatus"];
type Problem = components["schemas"]["Problem"];

const baseUrl = process.env["BASE_URL"];
const apiKey = process.env["API_KEY"];
if (!baseUrl || !apiKey) {
  throw new Error("Set BASE_URL (e.g. http://127.0.0.1:5080) and API_KEY (a key from `keys create`).");
}

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
const base = "/v1/products/generation/sessions";
const one = "/v1/products/generation/sessions/{id}";
const events = "/v1/products/generation/sessions/{id}/events";
const step = (text: string) => console.log(`ok - ${text}`);

// Create with a PRD: the 201 carries the session, its Location and its ETag.
const created = await client.POST(base, {
  params: { header: { "Idempotency-Key": `ts-${Date.now()}` } },
  body: { catalogVersion: "1.0", schemaVersion: "1.0", prd: { title: "AI Customer Support", audience: ["support"] } },
});
assert.equal(created.response.status, 201);
assert.ok(created.data, "no session in the 201");
const id: string = created.data.id;
const firstStatus: SessionStatus = created.data.status;
assert.equal(firstStatus, "intake");
assert.deepEqual(created.data.prd, { title: "AI Customer Support", audience: ["support"] });
assert.equal(created.data.plan, null);
assert.ok(created.response.headers.get("Location")?.endsWith(`/${id}`));
step(`created ${id}`);

// PATCH through the lifecycle with plan, assembly state and product object.
async function update(body: paths[typeof one]["patch"]["requestBody"]["content"]["application/json"]): Promise<Session> {
  const { data, error, response } = await client.PATCH(one, { params: { path: { id } }, body });
  assert.ok(data, `PATCH answered ${response.status}: ${JSON.stringify(error)}`);
  return data;
}

let session = await update({ status: "planning" });
assert.equal(session.status, "planning");
session = await update({ status: "generating", plan: { capabilities: ["chat", "search"], surfaces: ["widget"] } });
assert.deepEqual(session.plan, { capabilities: ["chat", "search"], surfaces: ["widget"] });
session = await update({ status: "assembling", assemblyState: { step: "assembling", progress: 75 } });
const progress: unknown = session.assemblyState?.["progress"];
assert.equal(progress, 75);

// A null clears a field; an absent one is left alone.
session = await update({ plan: null });
assert.equal(session.plan, null);
assert.deepEqual(session.assemblyState, { step: "assembling", progress: 75 });
step("planning → generating → assembling, plan cleared with null");

// Append events and read one back at its Location.
const appended = await client.POST(events, {
  params: { path: { id } },
  body: { type: "progress", stage: "generation", message: "Generating flow capabilities...", payload: { step: 2, totalSteps: 5 } },
});
assert.equal(appended.response.status, 201);
assert.ok(appended.data);
const eventId: string = appended.data.id;
const again = await client.GET("/v1/products/generation/sessions/{id}/events/{eventId}", { params: { path: { id, eventId } } });
assert.ok(again.data);
assert.deepEqual(again.data.payload, { step: 2, totalSteps: 5 });
for (let i = 0; i < 3; i++) {
  const more = await client.POST(events, { params: { path: { id } }, body: { type: "log", message: `line ${i}` } });
  assert.equal(more.response.status, 201);
}
step("events appended and read");

// Events paging: oldest first, pagination.next is the cursor of the next page, null at the end.
const seen: string[] = [];
let after: string | null = null;
do {
  const query: { limit: number; after?: string } = after === null ? { limit: 2 } : { limit: 2, after };
  const page = await client.GET(events, { params: { path: { id }, query } });
  assert.ok(page.data, `events page answered ${page.response.status}`);
  seen.push(...page.data.data.map((e) => e.type));
  after = page.data.pagination.next;
} while (after !== null);
assert.deepEqual(seen, ["status_changed", "status_changed", "status_changed", "progress", "log", "log", "log"]);
step(`${seen.length} events paged`);

// Complete with the product object; the server computes its hash.
session = await update({ status: "completed", productObject: { type: "text-generation", config: { maxTokens: 512 } } });
assert.equal(session.status, "completed");
assert.match(session.productObjectHash ?? "", /^[0-9a-f]{64}$/);
step("completed with productObjectHash " + session.productObjectHash);

// List with a status filter.
const list = await client.GET(base, { params: { query: { status: "completed", limit: 100 } } });
assert.ok(list.data);
assert.ok(list.data.data.some((s) => s.id === id));
assert.ok(list.data.data.every((s) => s.status === "completed"));
assert.equal(list.data.pagination.limit, 100);
step(`listed ${list.data.pagination.total} completed session(s)`);

// GET with its ETag, then If-None-Match: 304.
const details = await client.GET(one, { params: { path: { id } } });
assert.ok(details.data);
assert.equal(details.data.events.length, 8);
const etag = details.response.headers.get("ETag");
assert.ok(etag);
const unchanged = await client.GET(one, { params: { path: { id }, header: { "If-None-Match": etag } } });
assert.equal(unchanged.response.status, 304);
step("304 with If-None-Match " + etag);

// A stale If-Match: 412, its problem members read as typed properties.
const second = await client.POST(base, { body: {} });
assert.ok(second.data);
const secondId = second.data.id;
const staleTag = second.response.headers.get("ETag");
assert.ok(staleTag);
const moved = await client.PATCH(one, { params: { path: { id: secondId } }, body: { status: "planning" } });
assert.ok(moved.data);
const stale = await client.PATCH(one, { params: { path: { id: secondId }, header: { "If-Match": staleTag } }, body: { status: "generating" } });
assert.equal(stale.response.status, 412);
assert.ok(stale.error);
const problem: Problem = stale.error;
const currentETag: string | undefined = problem.currentETag;
const code: string | undefined = problem.code;
assert.equal(code, "precondition_failed");
assert.equal(currentETag, moved.response.headers.get("ETag"));
assert.equal(problem.status, 412);
step(`412 precondition_failed, currentETag ${currentETag}`);

// An illegal transition: 409 with the statuses it allows.
const illegal = await client.PATCH(one, { params: { path: { id: secondId } }, body: { status: "completed" } });
assert.equal(illegal.response.status, 409);
const allowed: SessionStatus[] | undefined = illegal.error?.allowedStatuses;
assert.deepEqual(allowed, ["generating", "failed", "cancelled"]);
step("409 invalid_status_transition, allowed " + allowed?.join(", "));

// Delete: 204, then 404 for the session.
for (const target of [id, secondId]) {
  const deleted = await client.DELETE(one, { params: { path: { id: target } } });
  assert.equal(deleted.response.status, 204);
}
const gone = await client.GET(one, { params: { path: { id } } });
assert.equal(gone.response.status, 404);
assert.equal(gone.error?.code, "not_found");
step("deleted; 404 not_found");

console.log("lifecycle: every step ok");
