import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { spansToCompactJson } from "../../src/protocol-json.js";
import { createCompactTraceAnswers } from "../../src/server/compact-trace-answers.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { makeSpan, richSpan, spanId, traceId } from "../store/span-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-compact-answers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A trace of more spans than one slice, in three requests, with what the compact form writes apart:
 * events, links, numbers JSON cannot hold, a GenAI call, a status message, a parent from elsewhere,
 * an id sent twice, equal resources from different requests, spans out of start order and a start
 * past 2^63 (stored wrapped by the SQLite store).
 */
function mixedTrace(): Span[][] {
  const rich = richSpan();
  const id = rich.traceId;
  const plain = (i: number, resource: Span["resource"]): Span => ({
    ...makeSpan({ trace: 1, span: i + 10, parent: i % 3 === 0 ? 1 : i + 9, start: 4600 - i, name: `step ${i % 7}` }),
    traceId: id,
    parentSpanId: i % 3 === 0 ? rich.spanId : spanId(i + 9),
    attributes: i % 2 === 0 ? { "db.system.name": "postgresql", "app.index": i } : { "app.index": i, odd: true },
    resource,
  });
  const first = Array.from({ length: 2300 }, (_, i) => plain(i, { ...rich.resource }));
  const second = Array.from({ length: 2300 }, (_, i) => plain(i + 2300, { ...rich.resource }));
  const odd: Span[] = [
    rich,
    {
      ...rich,
      spanId: "f0000000000000a1",
      attributes: { nan: Number.NaN, negativeZero: -0, inf: [Number.POSITIVE_INFINITY] },
    },
    {
      ...rich,
      spanId: "f0000000000000a2",
      attributes: {
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.usage.output_tokens": 80,
      },
    },
    {
      ...makeSpan({ trace: 1, span: 1 }),
      spanId: "f0000000000000a3",
      traceId: id,
      startTimeUnixNano: 2n ** 63n + 5n,
      endTimeUnixNano: 2n ** 63n + 9n,
    },
  ];
  return [first, odd, second];
}

const sqliteStore = async (): Promise<Store> => {
  await loadSqliteDriver();
  return createSqliteStore({ path: join(dir, `compact-${Math.random().toString(16).slice(2)}.db`), maxSpans: 100_000 });
};

/** A memory store that counts the traces read whole. */
function countingStore(): { store: Store; reads: () => number } {
  const store = createMemoryStore({ maxSpans: 100 });
  let reads = 0;
  const getTrace = store.getTrace;
  store.getTrace = (id) => {
    reads++;
    return getTrace(id);
  };
  return { store, reads: () => reads };
}

/**
 * The spans on each line between an answer's first line (the members before its spans) and its last
 * (the members after them), as the page reads them (web/src/api/compact-trace.ts): JSON.stringify
 * writes no line break of its own, so these are the only ones.
 */
function sliceLengths(text: string): number[] {
  const lines = text.split("\n");
  expect(lines[0]).toMatch(/,"spans":\[$/);
  expect(lines.at(-1)).toMatch(/^\],"snapshots":/);
  return lines.slice(1, -1).map((line) => (JSON.parse(`[${line.replace(/,$/, "")}]`) as unknown[]).length);
}

describe("createCompactTraceAnswers", () => {
  const rest = () => ({ name: "GET /cart", service: "shop", snapshots: [] });

  it("writes the answer JSON.stringify writes of the compact object, its spans on a line of their own", () => {
    const { store } = countingStore();
    const span = richSpan();
    store.insertSpans([span, makeSpan({ trace: 1, span: 2, parent: 1, start: 5 })]);
    const answers = createCompactTraceAnswers(store);
    for (const id of [span.traceId, traceId(1)]) {
      const spans = store.getTrace(id) ?? [];
      const text = answers.answer(id, rest) ?? "";
      expect(text.replaceAll("\n", "")).toBe(
        JSON.stringify({
          traceId: id,
          name: "GET /cart",
          service: "shop",
          ...spansToCompactJson(id, spans),
          snapshots: [],
        }),
      );
      expect(sliceLengths(text)).toEqual([spans.length]);
    }
  });

  for (const [name, open] of [
    ["memory", async () => createMemoryStore({ maxSpans: 100_000 })],
    ["sqlite", sqliteStore],
  ] as const) {
    it(`writes a trace of several slices as JSON.stringify writes the compact object, a slice to a line (${name} store)`, async () => {
      const store = await open();
      for (const request of mixedTrace()) store.insertSpans(request);
      const id = richSpan().traceId;
      const spans = store.getTrace(id) ?? [];
      expect(spans).toHaveLength(4604);
      const text = createCompactTraceAnswers(store).answer(id, rest) ?? "";
      expect(text.replaceAll("\n", "")).toBe(
        JSON.stringify({
          traceId: id,
          name: "GET /cart",
          service: "shop",
          ...spansToCompactJson(id, spans),
          snapshots: [],
        }),
      );
      expect(sliceLengths(text)).toEqual([2000, 2000, 604]);
      store.close();
    });
  }

  it("reads a trace asked again once, until a span joins it, another trace is asked or the stores are cleared", () => {
    const { store, reads } = countingStore();
    store.insertSpans([makeSpan({ trace: 1, span: 1 }), makeSpan({ trace: 2, span: 1 })]);
    const answers = createCompactTraceAnswers(store);
    const first = answers.answer(traceId(1), rest);
    expect(answers.answer(traceId(1), () => ({ name: "renamed", service: "shop", snapshots: [] }))).toBe(
      first?.replace('"GET /cart"', '"renamed"'),
    );
    expect(reads()).toBe(1);
    store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1, start: 5 })]);
    const grown = answers.answer(traceId(1), rest);
    expect(reads()).toBe(2);
    expect(grown).not.toBe(first);
    expect(grown).toContain('"span 2"');
    answers.answer(traceId(2), rest);
    answers.answer(traceId(1), rest);
    expect(reads()).toBe(4);
    answers.forget();
    answers.answer(traceId(1), rest);
    expect(reads()).toBe(5);
    expect(answers.answer(traceId(9), rest)).toBeUndefined();
  });

  it("keeps no answer longer than its cap, and drops the kept one once its trace is gone", () => {
    const { store, reads } = countingStore();
    store.insertSpans([makeSpan({ trace: 1, span: 1 }), makeSpan({ trace: 2, span: 1, name: "x".repeat(500) })]);
    const small = createCompactTraceAnswers(store, undefined, 400);
    small.answer(traceId(1), rest);
    small.answer(traceId(1), rest);
    expect(reads()).toBe(1);
    // Trace 2's answer is over the cap: written each time, and the kept one of trace 1 let go.
    small.answer(traceId(2), rest);
    expect(small.answer(traceId(2), rest)).toContain("x".repeat(500));
    expect(reads()).toBe(3);
    small.answer(traceId(1), rest);
    expect(reads()).toBe(4);

    // The store no longer has trace 1 (evicted): the answer kept for it goes, and is not handed out
    // should the store ever say the same version again.
    const versionOf = store.traceVersion;
    const gone = new Set<string>();
    store.traceVersion = (id) => (gone.has(id) ? undefined : versionOf(id));
    gone.add(traceId(1));
    expect(small.answer(traceId(1), rest)).toBeUndefined();
    gone.clear();
    small.answer(traceId(1), rest);
    expect(reads()).toBe(5);
  });
});
