import { describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { manyEntrySpansTrace, opSpan } from "./operations-contract.js";
import { traceId } from "./span-fixtures.js";
import { describeStoreContract, unhurried } from "./store-contract.js";

describeStoreContract("memory", (options) => createMemoryStore(options));
// Every trace packed right after its insert: what a store filled past its live spans reads back.
describeStoreContract("memory, packed", (options) => createMemoryStore({ ...options, liveSpans: 0 }));

describe("memory store: a trace taking entry spans over many inserts", () => {
  it("reads its stored spans again at no insert that follows", () => {
    let kindReads = 0;
    const spans = manyEntrySpansTrace(1000).map((span) => {
      const kind = span.kind;
      const counted = { ...span };
      Object.defineProperty(counted, "kind", {
        enumerable: true,
        get: () => {
          kindReads++;
          return kind;
        },
      });
      return counted as Span;
    });
    // Unpacked spans are new objects, which would count nothing: every span stays an object.
    const store = createMemoryStore({ liveSpans: 1_000_000 });
    // 103 inserts of 50 spans, the smallest slices a large request is stored in.
    for (let i = 0; i < spans.length; i += 50) store.insertSpans(spans.slice(i, i + 50));
    expect(store.listServices().map((s) => [s.name, s.requestCount])).toEqual([
      ["shop", 1],
      ["users", 1100],
      ["worker", 1000],
    ]);
    // About 13 reads per span; telling every stored entry span apart again at each insert read each ~340 times.
    expect(kindReads / spans.length).toBeLessThan(20);
  });
});

describe("memory store: packed traces sharing one list of operations", () => {
  it("a packed trace that takes a span of a new operation is found by it, and the others are not", () => {
    const store = unhurried(createMemoryStore({ liveSpans: 0 }));
    // Packed after each insert, both traces list the same one operation.
    store.insertSpans([opSpan({ trace: 1, span: 1, parent: null, kind: "SERVER", name: "GET /a", end: 5 })]);
    store.insertSpans([opSpan({ trace: 2, span: 1, parent: null, kind: "SERVER", name: "GET /a", end: 5 })]);
    store.insertSpans([opSpan({ trace: 1, span: 2, parent: 1, kind: "CLIENT", name: "SELECT b", end: 3 })]);
    const matching = (q: string) =>
      store
        .listTraces({ q, limit: 10 })
        .traces.map((t) => t.traceId)
        .sort();
    expect(matching('operation="SELECT b"')).toEqual([traceId(1)]);
    expect(matching('operation="GET /a"')).toEqual([traceId(1), traceId(2)].sort());
    expect(store.getTrace(traceId(1))?.map((s) => s.name)).toEqual(["GET /a", "SELECT b"]);
  });

  it("a cleared store's traces evicted take their spans out of their own operations", () => {
    const store = createMemoryStore({ liveSpans: 0, maxSpans: 1 });
    store.insertSpans([opSpan({ trace: 1, span: 1, parent: null, kind: "SERVER", name: "GET /a", end: 5 })]);
    store.clear();
    // Numbered as GET /a was before the store was cleared.
    store.insertSpans([opSpan({ trace: 2, span: 1, parent: null, kind: "SERVER", name: "GET /b", end: 5 })]);
    store.insertSpans([opSpan({ trace: 3, span: 1, parent: null, kind: "SERVER", name: "GET /c", end: 5 })]);
    expect(store.listOperations("api")?.operations.map((o) => o.name)).toEqual(["GET /c"]);
  });
});
