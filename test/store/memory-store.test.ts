import { describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { manyEntrySpansTrace } from "./operations-contract.js";
import { describeStoreContract } from "./store-contract.js";

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
