import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MODEL_PRICES } from "../../src/domain/llm-prices.js";
import { serviceMapOf } from "../../src/domain/service-map.js";
import type { Span } from "../../src/domain/span.js";
import type { ServiceMapResponse } from "../../src/protocol.js";
import { serviceMapApiRoutes } from "../../src/server/routes/service-map-api.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { expectPeerQueriesAsOwnMaps, found } from "./peer-query-contract.js";
import { makeSpan } from "./span-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-views-build-"));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LLM = {
  "gen_ai.provider.name": "openai",
  "gen_ai.response.model": "gpt-4o-mini",
  "gen_ai.usage.input_tokens": 1_000,
  "gen_ai.usage.output_tokens": 100,
};

/** web (SERVER) → its CLIENT span → checkout (SERVER) → an LLM call. */
function checkout(trace: number): Span[] {
  const span = (id: number, parent: number | null, service: string, kind: Span["kind"], attributes = {}) => ({
    ...makeSpan({ trace, span: id, parent, service, start: trace * 10 + id, end: trace * 10 + 9 }),
    kind,
    attributes,
  });
  return [
    span(1, null, "web", "SERVER"),
    span(2, 1, "web", "CLIENT"),
    span(3, 2, "checkout", "SERVER"),
    span(4, 3, "checkout", "CLIENT", LLM),
  ];
}

function fill(store: Store, from: number, to: number): void {
  for (let t = from; t < to; t += 100) {
    const spans: Span[] = [];
    for (let u = t; u < Math.min(t + 100, to); u++) spans.push(...checkout(u));
    store.insertSpans(spans);
  }
}

const edges = (store: Store) =>
  serviceMapOf(store.serviceTraffic({})).edges.map((e) => `${e.from} → ${e.to} ${e.calls}`);
const llmCalls = (store: Store) => store.llmUsage({ limit: 1 }, MODEL_PRICES).totals.calls;

async function built(store: Store): Promise<number> {
  let turns = 0;
  while (store.viewsBuilding() !== null) {
    await new Promise((resolve) => setImmediate(resolve));
    turns++;
  }
  return turns;
}

describe("sqlite store: the span views of a reopened file", () => {
  beforeAll(() => loadSqliteDriver());
  const open: Store[] = [];
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
  });
  function openStore(path: string, maxSpans = 1_000_000): Store {
    const store = createSqliteStore({ path, maxSpans });
    open.push(store);
    return store;
  }
  const TRACES = 5_000;

  it("reads the stored spans in the background, over many turns of the event loop, answering meanwhile", async () => {
    const path = join(dir, `store-${++files}.db`);
    const first = openStore(path);
    fill(first, 0, TRACES);
    first.close();

    const store = openStore(path);
    expect(store.viewsBuilding()).toEqual({ spansRead: 0, spansTotal: TRACES * 4 });
    expect(edges(store)).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    const partway = store.viewsBuilding();
    expect(partway?.spansRead).toBeGreaterThan(0);
    expect(partway?.spansRead).toBeLessThan(TRACES * 4);
    // The API says so, and answers from what is read so far: whole traces only.
    const body = (await (
      await serviceMapApiRoutes({ store }).request("/api/service-map")
    ).json()) as ServiceMapResponse;
    expect(body.building?.spansTotal).toBe(TRACES * 4);
    expect(body.building?.spansRead).toBeGreaterThan(0);
    const [toLlm, toCheckout] = edges(store);
    expect(toLlm).toMatch(/^service:checkout → llm:openai \d+$/);
    expect(toCheckout?.split(" ").pop()).toBe(toLlm?.split(" ").pop());

    // Spans arriving meanwhile: a late LLM call of the last stored trace (not read yet) and new traces.
    store.insertSpans([
      { ...checkout(TRACES - 1)[3], spanId: "00000000000000ff", attributes: LLM } as Span,
      ...checkout(TRACES),
      ...checkout(TRACES + 1),
    ]);
    expect(await built(store)).toBeGreaterThan(1);
    expect(edges(store)).toEqual([
      `service:checkout → llm:openai ${TRACES + 3}`,
      `service:web → service:checkout ${TRACES + 2}`,
    ]);
    expect(llmCalls(store)).toBe(TRACES + 3);
    expect(store.serviceTraffic({}).traces).toBe(TRACES + 2);
    const after = (await (
      await serviceMapApiRoutes({ store }).request("/api/service-map")
    ).json()) as ServiceMapResponse;
    expect(after.building).toBeUndefined();
  });

  it("answers peer= queries as before a reopen, at once and once it has read the stored traces' calls, spans arriving meanwhile", async () => {
    const path = join(dir, `store-${++files}.db`);
    const traces = 150;
    const numbers = Array.from({ length: traces + 2 }, (_, n) => n);
    const first = openStore(path);
    // Every third trace in two requests, checkout's spans first.
    first.insertSpans(numbers.slice(0, traces).flatMap((n) => (n % 3 === 0 ? checkout(n).slice(2) : checkout(n))));
    first.insertSpans(numbers.slice(0, traces).flatMap((n) => (n % 3 === 0 ? checkout(n).slice(0, 2) : [])));
    expectPeerQueriesAsOwnMaps(first, numbers, "before the reopen:");
    first.close();

    // The first queries read the stored traces.
    const cold = openStore(path);
    expectPeerQueriesAsOwnMaps(cold, numbers, "at once:");
    cold.close();

    const store = openStore(path);
    expect(store.viewsBuilding()).not.toBeNull();
    /** A ledger span under checkout's LLM call: the call is to ledger, not to the LLM. */
    const ledger = (n: number) =>
      ({
        ...makeSpan({ trace: n, span: 5, parent: 4, service: "ledger", start: n * 10 + 5, end: n * 10 + 6 }),
        kind: "SERVER",
      }) as Span;
    // Spans of stored traces the build has not read yet (the first and the last), and a new trace in two requests.
    store.insertSpans([ledger(0), ledger(traces - 1), ...checkout(traces).slice(2)]);
    expectPeerQueriesAsOwnMaps(store, numbers, "while it reads:");
    await built(store);
    expect(found(store, "service=checkout peer=ledger")).toEqual([0, traces - 1]);
    store.insertSpans([...checkout(traces).slice(0, 2), ledger(1), ...checkout(traces + 1)]);
    expectPeerQueriesAsOwnMaps(store, numbers, "once it read them:");
    expect(found(store, "service=checkout peer=ledger")).toEqual([0, 1, traces - 1]);
    expect(found(store, "service=web peer=checkout")).toHaveLength(traces + 2);
  });

  it("leaves out what retention evicts while it reads, and starts over when the store is cleared", async () => {
    const path = join(dir, `store-${++files}.db`);
    const first = openStore(path, TRACES * 4);
    fill(first, 0, TRACES);
    first.close();

    const store = openStore(path, TRACES * 4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.viewsBuilding()).not.toBeNull();
    // 1,000 new traces push the 1,000 oldest out: some read already, some not yet.
    fill(store, TRACES, TRACES + 1_000);
    await built(store);
    expect(store.stats()).toMatchObject({ traces: TRACES, evictedTraces: 1_000 });
    expect(edges(store)).toEqual([
      `service:checkout → llm:openai ${TRACES}`,
      `service:web → service:checkout ${TRACES}`,
    ]);
    expect(llmCalls(store)).toBe(TRACES);

    store.clear();
    expect(store.viewsBuilding()).toBeNull();
    expect(edges(store)).toEqual([]);
    store.insertSpans(checkout(1));
    expect(edges(store)).toEqual(["service:checkout → llm:openai 1", "service:web → service:checkout 1"]);
  });
});
