import { describe, expect, it } from "vitest";
import { spansToCompactJson } from "../../src/protocol-json.js";
import { createCompactTraceAnswers } from "../../src/server/compact-trace-answers.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { makeSpan, richSpan, traceId } from "../store/span-fixtures.js";

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

describe("createCompactTraceAnswers", () => {
  const rest = () => ({ name: "GET /cart", snapshots: [] });

  it("writes the answer JSON.stringify writes of the compact object", () => {
    const { store } = countingStore();
    const span = richSpan();
    store.insertSpans([span, makeSpan({ trace: 1, span: 2, parent: 1, start: 5 })]);
    const answers = createCompactTraceAnswers(store);
    for (const id of [span.traceId, traceId(1)]) {
      const spans = store.getTrace(id) ?? [];
      expect(answers.answer(id, rest)).toBe(
        JSON.stringify({ traceId: id, name: "GET /cart", ...spansToCompactJson(id, spans), snapshots: [] }),
      );
    }
  });

  it("reads a trace asked again once, until a span joins it, another trace is asked or the stores are cleared", () => {
    const { store, reads } = countingStore();
    store.insertSpans([makeSpan({ trace: 1, span: 1 }), makeSpan({ trace: 2, span: 1 })]);
    const answers = createCompactTraceAnswers(store);
    const first = answers.answer(traceId(1), rest);
    expect(answers.answer(traceId(1), () => ({ name: "renamed", snapshots: [] }))).toBe(
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
