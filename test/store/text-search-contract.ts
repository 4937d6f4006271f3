import { expect, it } from "vitest";
import { prng } from "../../bench/fuzz-lib.mjs";
import { spanSearchText } from "../../src/domain/search.js";
import type { Attributes, Span } from "../../src/domain/span.js";
import { compileTraceQuery } from "../../src/store/span-query.js";
import type { Store, TraceQuery } from "../../src/store/store.js";
import { makeSpan, walkAll } from "./span-fixtures.js";

/** Values that repeat across traces, with mixed case, a line break and letters whose lower case depends on context. */
const WORDS = [
  "Checkout",
  "GET /api/orders/:id",
  "SELECT id FROM orders",
  "upstream failed",
  "ΟΔΟΣ ΣΟΦΙΑΣ",
  "İstanbul",
  "line one\nLine Two",
  "cache.miss",
  "Payment Declined",
  "order:42",
  "true",
  "ß-straße",
];
const KEYS = ["app.tenant", "app.note", "http.route", "user.id", "db.statement"];

/**
 * Free text and span names (`q`), which stores answer from their block notes (see
 * src/store/trace-blocks.ts), against a scan of every trace, part of the Store contract: random
 * spans and random terms, over several blocks of traces, before and after eviction and traces that
 * gain spans, in start and duration order (itself checked against the newest-first list, with and
 * without summary filters). `fresh(maxSpans)` opens an empty store.
 */
export function textSearchContract(fresh: (maxSpans: number) => Promise<Store>): void {
  it("query: free text and span names find what a scan of every trace finds, and sorted pages keep their order, through eviction", async () => {
    for (const seed of [7]) {
      const random = prng(seed); // a failure's message names the seed that repeats it
      const store = await fresh(3000);
      let nextTrace = 1;
      /** Pieces of text that stored spans hold, for terms that match something. */
      const seen: string[] = [];

      function value(): Attributes[string] {
        const roll = random.int(10);
        if (roll < 4) return random.pick(WORDS);
        if (roll < 6) return `id-${random.int(5000)}`;
        if (roll < 7) return random.int(100000);
        if (roll < 8) return random.next() < 0.5;
        if (roll < 9) return [random.pick(WORDS), `Tag${random.int(300)}`];
        return `${random.pick(WORDS)} ${random.int(900)}`;
      }

      function randomSpan(trace: number, span: number, start: number): Span {
        const attributes: Attributes = {};
        for (let i = random.int(4); i > 0; i--) attributes[random.pick(KEYS)] = value();
        const base = makeSpan({
          trace,
          span,
          parent: span === 1 ? null : 1,
          name:
            random.next() < 0.3 ? `${random.pick(WORDS)} ${random.int(50)}` : random.pick(["GET", "SELECT", "work"]),
          service: random.pick(["api", "db", "web"]),
          start,
          end: start + random.int(300),
          error: random.next() < 0.1,
          attributes,
        });
        const events =
          random.next() < 0.2
            ? [{ name: random.pick(WORDS), timeUnixNano: base.startTimeUnixNano, attributes: { "ev.key": value() } }]
            : [];
        const spanOut = { ...base, events };
        const text = spanSearchText(spanOut);
        seen.push(text.slice(random.int(text.length)));
        return spanOut;
      }

      function insertTraces(count: number): void {
        for (let done = 0; done < count; done += 100) {
          const batch: Span[] = [];
          for (let k = 0; k < 100; k++) {
            const trace = nextTrace++;
            const start = random.int(100000); // filed out of start order
            for (let s = 1 + random.int(2); s > 0; s--) batch.push(randomSpan(trace, s, start));
          }
          store.insertSpans(batch);
        }
      }

      /** A term that matches some span, or not, in the forms the query language has for text. */
      function term(): string {
        const roll = random.int(12);
        const piece = random.pick(seen);
        const at = random.int(Math.max(1, piece.length));
        const text = piece.slice(at, at + 1 + random.int(8));
        const quoted = (t: string) => JSON.stringify(t);
        if (roll < 4) return quoted(random.next() < 0.5 ? text : text.toUpperCase());
        if (roll < 5) return quoted(`nowhere-${random.int(1000)}`);
        if (roll < 6) return random.pick(KEYS); // an unquoted word also matches the attribute key
        if (roll < 7) return random.pick(["checkout", "İSTANBUL", "οδος", "ΣΟΦΙΑΣ", "straße", "id-17", "tag12"]);
        if (roll < 8) return `name~${quoted(text)}`;
        if (roll < 9) return `name=${quoted(random.pick(["GET", "work", "Checkout 3"]))}`;
        if (roll < 10) return quoted(random.pick(["one\nline", "one\nLINE", ""]));
        return quoted(`id-${random.int(5000)}`);
      }

      function query(): string {
        const roll = random.int(6);
        if (roll < 3) return term();
        if (roll < 4) return `${term()} | ${term()}`;
        if (roll < 5) return `${term()} ${term()}`;
        return `(${term()} | status=error) -${term()}`;
      }

      function check(extra: readonly string[] = []): void {
        const spansOf = new Map<string, Span[]>();
        for (const sort of [{}, { sort: "duration" as const }]) {
          const everyTrace = walkAll(store, { limit: 5000, ...sort }).flat();
          for (const id of everyTrace) if (!spansOf.has(id)) spansOf.set(id, store.getTrace(id) ?? []);
          for (let i = 0; i < 16 + extra.length; i++) {
            const q = extra[i] ?? query();
            const filter = compileTraceQuery<Span>(q, spanSearchText);
            const scanned = everyTrace.filter((id) => spansOf.get(id)?.some((span) => filter?.matchesSpan(span)));
            const paged = walkAll(store, { limit: 40, q, ...sort } satisfies Omit<TraceQuery, "cursor">).flat();
            expect(paged, `seed ${seed}: ${q} ${JSON.stringify(sort)}`).toEqual(scanned);
          }
        }
        // Sorted by duration, with and without summary filters: the newest-first list, stably sorted.
        const filtersList: Omit<TraceQuery, "limit">[] = [
          {},
          { errorsOnly: true },
          { service: "db", minDurationMs: 200 },
        ];
        for (const filters of filtersList) {
          const newestFirst = walkAll(store, { limit: 5000, ...filters }).flat();
          const durations = new Map(store.getSummaries(newestFirst).map((t) => [t.traceId, t.durationMs]));
          const byDuration = [...newestFirst].sort((a, b) => (durations.get(b) ?? 0) - (durations.get(a) ?? 0));
          const paged = walkAll(store, { limit: 40, sort: "duration", ...filters }).flat();
          expect(paged, `seed ${seed}: sorted ${JSON.stringify(filters)}`).toEqual(byDuration);
        }
      }

      insertTraces(1500);
      check();
      // Old traces gain spans (their blocks' notes must not miss the new text)...
      const late: Span[] = [];
      for (let k = 0; k < 60; k++) {
        const trace = 1 + random.int(nextTrace - 1);
        const kept = store.getTrace(makeSpan({ trace, span: 1 }).traceId);
        if (kept === undefined) continue;
        // Most start after their trace (it stays in its block); a few start before it (it moves).
        const first = Number((kept[0] as Span).startTimeUnixNano - makeSpan({ trace, span: 1 }).startTimeUnixNano);
        const span = randomSpan(trace, 90 + k, k % 12 === 11 ? random.int(100000) : first / 1e6 + 1);
        late.push({ ...span, attributes: { ...span.attributes, "app.late": `Late-${k}` } });
      }
      store.insertSpans(late);
      check(Array.from({ length: 12 }, (_, k) => (k % 2 === 0 ? `late-${k}` : `"LATE-${k}" | nowhere`)));
      // ...then the oldest traces are evicted, their text with them, and new ones arrive.
      insertTraces(1200);
      expect(store.stats().evictedTraces).toBeGreaterThan(0);
      check();
    }
  }, 120_000);

  it("query: with traces' filters and notes gathered as spans arrive, finds what a store that reads the spans finds", async () => {
    // A query first: from then on, this store gathers new traces' filters on the write path.
    const gathering = await fresh(100_000);
    const reading = await fresh(100_000);
    expect(gathering.listTraces({ limit: 10, q: "user.id=nobody" }).traces).toEqual([]);
    const resources = ["prod", "dev", "test"].map((environment, i) => ({
      "service.name": "api",
      "deployment.environment": environment,
      "host.name": `host-${i}`,
    }));
    const queries = [
      "user.id=user-7",
      "host.name=host-2",
      "deployment.environment=dev user.id=user-1",
      "ev.key=boom",
      '"route-4"',
      "Checkout",
      "user.id=user-7 | host.name=host-1",
      "late.key=yes",
    ];
    const spanOf = (trace: number, span: number, late: boolean): Span => ({
      ...makeSpan({
        trace,
        span,
        parent: span === 1 ? null : 1,
        name: span === 1 ? `GET /route-${trace % 9}` : trace % 13 === 0 ? "Checkout" : "work",
        start: trace,
        attributes: { "user.id": `user-${(trace * span) % 50}`, ...(late ? { "late.key": "yes" } : {}) },
      }),
      resource: resources[(trace + span) % 3] as Attributes,
      events:
        trace % 7 === 0 && span === 2
          ? [{ name: "retry", timeUnixNano: 1n, attributes: { "ev.key": trace % 14 === 0 ? "boom" : "calm" } }]
          : [],
    });
    const found = (store: Store) => queries.map((q) => walkAll(store, { limit: 5000, q }).flat());
    let trace = 1;
    let waiting: Span[] = [];
    for (let batch = 0; batch < 16; batch++) {
      const spans = waiting;
      waiting = [];
      for (let k = 0; k < 100; k++, trace++) {
        spans.push(spanOf(trace, 1, false));
        // The rest of each trace comes with the next batch, as a batching SDK sends it.
        waiting.push(spanOf(trace, 2, false), spanOf(trace, 3, trace % 11 === 0));
      }
      gathering.insertSpans(spans);
      reading.insertSpans(spans);
      // Searches between batches make blocks' notes from what was gathered.
      if (batch % 3 === 2) found(gathering);
    }
    gathering.insertSpans(waiting);
    reading.insertSpans(waiting);
    const expected = found(reading);
    expect(expected.every((ids) => ids.length > 0)).toBe(true);
    expect(found(gathering)).toEqual(expected);
  });
}
