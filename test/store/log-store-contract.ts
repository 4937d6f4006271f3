import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.js";
import {
  LOG_SEVERITIES,
  type LogRecord,
  logContainsText,
  type StoredLog,
  severityRank,
  textMatcher,
} from "../../src/domain/log.js";
import type { AttrValue } from "../../src/domain/span.js";
import { compareLogPositions } from "../../src/store/log-cursor.js";
import { LOG_COUNT_BUDGET, type LogQuery, type LogStore } from "../../src/store/log-store.js";
import { prng } from "../otlp/helpers.js";
import { makeLog, richLog, SEVERITY_NUMBER } from "./log-fixtures.js";
import { ms, resourceFor, spanId, traceId } from "./span-fixtures.js";

export interface LogStoreFactoryOptions {
  maxLogs: number;
}

export type LogStoreFactory = (options: LogStoreFactoryOptions) => LogStore | Promise<LogStore>;

type QueryInput = Partial<LogQuery>;

/** The behaviour every LogStore must have; each implementation's test file runs it. */
export function describeLogStoreContract(name: string, makeStore: LogStoreFactory): void {
  describe(`${name}: LogStore contract`, () => {
    const open: LogStore[] = [];

    async function fresh(maxLogs = 100_000): Promise<LogStore> {
      const store = await makeStore({ maxLogs });
      open.push(store);
      return store;
    }

    afterEach(() => {
      for (const store of open.splice(0)) store.close();
    });

    const query = (input: QueryInput = {}): LogQuery => ({ limit: 1000, order: "desc", ...input });
    const bodies = (store: LogStore, input: QueryInput = {}) =>
      store.listLogs(query(input)).logs.map((log) => log.record.body);

    /** Every page a query returns, following cursors. */
    function walkAll(store: LogStore, input: QueryInput): StoredLog[][] {
      const pages: StoredLog[][] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10_000; guard++) {
        const page = store.listLogs(query(cursor === undefined ? input : { ...input, cursor }));
        pages.push(page.logs);
        if (page.nextCursor === undefined) return pages;
        cursor = page.nextCursor;
      }
      throw new Error("paging did not end");
    }

    describe("insert and read back", () => {
      it("returns every field of a record unchanged", async () => {
        const store = await fresh();
        const record = richLog();
        const expected = structuredClone(record);
        const [stored] = store.insertLogs([record]).stored;
        expect(stored?.record).toEqual(expected);
        const listed = store.listLogs(query()).logs;
        expect(listed).toEqual([{ seq: stored?.seq, record: expected }]);
        // Twice: a second read must not depend on state the first one left.
        expect(store.listLogs(query()).logs).toEqual(listed);
      });

      it("keeps how many entries of a body the decoder dropped, whichever optional fields come before it", async () => {
        const store = await fresh();
        const cut = (at: number, fields: Partial<LogRecord>): LogRecord => ({
          ...makeLog({ at, body: { kept: [1, 2] } }),
          droppedBodyEntries: 500,
          ...fields,
        });
        const records = [
          cut(1, {}),
          cut(2, { observedOnArrival: true }),
          cut(3, { bytes: { body: [["kept", 0]] } }),
          cut(4, { observedOnArrival: true, bytes: { body: [["kept", 1]] }, droppedAttributesCount: 7 }),
          { ...makeLog({ at: 5, body: "3q2+7w==" }), bytes: { body: true as const } },
        ];
        const expected = structuredClone(records);
        store.insertLogs(records);
        expect(store.listLogs(query({ order: "asc" })).logs.map((log) => log.record)).toEqual(expected);
        expect(store.getLog(store.lastSeq())?.record.droppedBodyEntries).toBeUndefined();
      });

      it("keeps a -0 double as -0 in the body and attributes (JSON writes it as 0)", async () => {
        const store = await fresh();
        const rich = richLog();
        const zero = { zero: -0, list: [-0, 0] };
        const record = {
          ...rich,
          body: { ...(rich.body as Record<string, AttrValue>), ...zero },
          attributes: { ...rich.attributes, ...zero },
          resource: { ...rich.resource, ...zero },
        };
        const expected = structuredClone(record);
        store.insertLogs([record]);
        const [listed] = store.listLogs(query()).logs;
        expect(listed?.record).toEqual(expected);
        expect(Object.is((listed?.record.body as Record<string, AttrValue> | undefined)?.zero, -0)).toBe(true);
        expect(Object.is(listed?.record.attributes.zero, -0)).toBe(true);
        expect(Object.is(listed?.record.resource.zero, -0)).toBe(true);
        // A -0 body on its own too.
        store.insertLogs([makeLog({ at: 5, body: -0 })]);
        expect(bodies(store, { order: "asc" }).map((body) => Object.is(body, -0))).toContain(true);
      });

      it("keeps bodies of every kind: absent, string, number, bool, list and map", async () => {
        const store = await fresh();
        const kinds = [null, "text", 42, 2.5, true, ["a", 1], { k: { deep: [null] } }, ""];
        store.insertLogs(kinds.map((body, i) => makeLog({ at: i, body })));
        expect(bodies(store, { order: "asc" })).toEqual(kinds);
      });

      it("numbers records in arrival order, never twice, and returns them from insert", async () => {
        const store = await fresh();
        const first = store.insertLogs([makeLog({ body: "a" }), makeLog({ body: "b" })]).stored;
        const second = store.insertLogs([makeLog({ body: "c" })]).stored;
        const seqs = [...first, ...second].map((log) => log.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(3);
        expect([...first, ...second].map((log) => log.record.body)).toEqual(["a", "b", "c"]);
        expect(store.insertLogs([])).toEqual({ stored: [], duplicates: 0 });
      });
    });

    describe("a record sent again", () => {
      /** Records that differ from `base` in one field each, all at its time. */
      function variants(base: LogRecord): LogRecord[] {
        return [
          base,
          { ...base, body: "other" },
          { ...base, body: { message: "hello" } },
          { ...base, attributes: { "user.id": "u-1" } },
          { ...base, attributes: { "user.id": 1 } },
          { ...base, severityNumber: 17, severity: "ERROR" },
          { ...base, severityText: "INFO" },
          { ...base, observedTimeUnixNano: base.observedTimeUnixNano + 1n },
          { ...base, traceId: traceId(9), spanId: spanId(1) },
          { ...base, traceId: traceId(9), spanId: spanId(2) },
          { ...base, service: "web", resource: { "service.name": "web" } },
          { ...base, resource: { ...base.resource, "host.name": "b" } },
          { ...base, scope: { name: "other-logger", version: "1.0.0" } },
          { ...base, scope: { ...base.scope, version: "2.0.0" } },
          { ...base, scope: { ...base.scope, attributes: { a: 1 } } },
          { ...base, eventName: "user.login" },
          { ...base, flags: 1 },
          { ...base, droppedAttributesCount: 2 },
          { ...base, bytes: { body: true } },
        ];
      }

      it("is stored once: a whole batch sent again adds nothing, reads and counts stay the same", async () => {
        const store = await fresh();
        const batch = [richLog(), makeLog({ at: 1, trace: 1, body: "one" }), makeLog({ at: 2, body: { k: [1] } })];
        expect(store.insertLogs(batch).stored).toHaveLength(3);
        const before = store.listLogs(query());
        const again = store.insertLogs(structuredClone(batch));
        expect(again).toEqual({ stored: [], duplicates: 3 });
        expect(store.listLogs(query())).toEqual(before);
        expect(bodies(store, { traceId: traceId(1) })).toEqual(["one"]);
        expect(store.stats()).toMatchObject({ logs: 3 });
      });

      it("is the record stored when it comes back from an export without the body entries this server dropped", async () => {
        const store = await fresh();
        const cut: LogRecord = { ...makeLog({ at: 3, body: { kept: 1 } }), droppedBodyEntries: 500 };
        store.insertLogs([cut]);
        // OTLP has no field for them: an exported record imported again is the same record.
        const { droppedBodyEntries: _, ...exported } = structuredClone(cut);
        expect(store.insertLogs([exported])).toEqual({ stored: [], duplicates: 1 });
        expect(store.listLogs(query()).logs.map((log) => log.record.droppedBodyEntries)).toEqual([500]);
      });

      it("is stored again when its request is one that cannot be sent again (an application's exporter)", async () => {
        const store = await fresh();
        // A loop logging one line: its batches are equal, each record to one of the batch before.
        const batch = () => [1, 2, 3].map(() => makeLog({ at: 1, body: "retrying connection" }));
        expect(store.insertLogs(batch(), { mayBeSentAgain: false }).stored).toHaveLength(3);
        expect(store.insertLogs(batch(), { mayBeSentAgain: false })).toMatchObject({ duplicates: 0 });
        const slices = batch();
        expect(store.insertLogs(slices.slice(0, 1), { request: slices, mayBeSentAgain: false }).stored).toHaveLength(1);
        expect(store.insertLogs(slices.slice(1), { request: slices, mayBeSentAgain: false }).stored).toHaveLength(2);
        expect(store.stats().logs).toBe(9);
        // A file imported again is still judged.
        expect(store.insertLogs(batch())).toEqual({ stored: [], duplicates: 3 });
      });

      it("is told apart by every field: records that differ in one are all kept", async () => {
        const store = await fresh();
        const records = variants(makeLog({ at: 5, attributes: { "user.id": "u-2" } }));
        expect(store.insertLogs(records)).toMatchObject({ duplicates: 0 });
        expect(store.stats().logs).toBe(records.length);
        // Sent again, in another order and after a newer record: every one is found.
        store.insertLogs([makeLog({ at: 50, body: "newer" })]);
        expect(store.insertLogs(structuredClone(records).reverse())).toEqual({
          stored: [],
          duplicates: records.length,
        });
        expect(store.stats().logs).toBe(records.length + 1);
      });

      it("is found when the sender left out its observed time, which this server gives on each arrival", async () => {
        const store = await fresh();
        const sent = makeLog({ at: 7, body: "no observed time" });
        const arrived = (at: bigint): LogRecord => ({ ...sent, observedTimeUnixNano: at, observedOnArrival: true });
        expect(store.insertLogs([arrived(100n)]).stored).toHaveLength(1);
        expect(store.insertLogs([arrived(200n)])).toEqual({ stored: [], duplicates: 1 });
        // Exported (with the time it was given) and imported again: the same record.
        expect(store.insertLogs([{ ...sent, observedTimeUnixNano: 100n }])).toMatchObject({ duplicates: 1 });
        expect(store.listLogs(query()).logs[0]?.record).toMatchObject({
          observedTimeUnixNano: 100n,
          observedOnArrival: true,
        });
        expect(store.stats().logs).toBe(1);
      });

      it("is not stored twice when an import's request holds it among new records (files that overlap)", async () => {
        const store = await fresh();
        // One trace's records (an export of that trace), then the export of everything, which holds them.
        const ofTrace = [1, 2, 3].map((at) => makeLog({ at, trace: 1, span: at, body: `in trace ${at}` }));
        const others = [makeLog({ at: 2, body: "same time, no trace" }), makeLog({ at: 0, body: "older" })];
        expect(store.insertLogs(ofTrace).stored).toHaveLength(3);
        const all = structuredClone([others[0], ...ofTrace, makeLog({ at: 9, body: "newer" }), others[1]]);
        const result = store.insertLogs(all as LogRecord[]);
        expect(result.duplicates).toBe(3);
        expect(result.stored.map((log) => log.record.body)).toEqual(["same time, no trace", "newer", "older"]);
        expect(bodies(store, { traceId: traceId(1), order: "asc" })).toEqual([
          "in trace 1",
          "in trace 2",
          "in trace 3",
        ]);
        expect(store.stats().logs).toBe(6);
        // Read back (the SQLite store's records are in its file now), and the small file imported again.
        expect(store.insertLogs(structuredClone(ofTrace))).toEqual({ stored: [], duplicates: 3 });
        expect(store.insertLogs(structuredClone(all) as LogRecord[])).toEqual({ stored: [], duplicates: 6 });
        expect(store.stats().logs).toBe(6);
      });

      it("is not stored twice by a later slice of a request that overlaps, and a slice of only new ones is stored", async () => {
        const store = await fresh();
        store.insertLogs([makeLog({ at: 1, body: "a" }), makeLog({ at: 2, body: "b" })]);
        const request = [makeLog({ at: 1, body: "new" }), makeLog({ at: 2, body: "b" }), makeLog({ at: 1, body: "a" })];
        expect(store.insertLogs(request.slice(0, 1), { request })).toMatchObject({ duplicates: 0 });
        expect(store.insertLogs(request.slice(1, 2), { request })).toEqual({ stored: [], duplicates: 1 });
        expect(store.insertLogs(request.slice(2), { request })).toEqual({ stored: [], duplicates: 1 });
        expect(bodies(store, { order: "asc" })).toEqual(["a", "new", "b"]);
      });

      it("is found at the oldest stored time, among records older than every one stored", async () => {
        const store = await fresh();
        store.insertLogs([makeLog({ at: 5, body: "a" })]);
        bodies(store);
        // Older than what was read back (the SQLite store has it waiting to be written).
        store.insertLogs([makeLog({ at: 2, body: "b" })], { mayBeSentAgain: false });
        const sent = [makeLog({ at: 1, body: "older" }), makeLog({ at: 2, body: "b" }), makeLog({ at: 5, body: "a" })];
        const result = store.insertLogs(sent);
        expect(result.duplicates).toBe(2);
        expect(result.stored.map((log) => log.record.body)).toEqual(["older"]);
        expect(bodies(store, { order: "asc" })).toEqual(["older", "b", "a"]);
      });

      it("is found whatever the order of its attributes", async () => {
        const store = await fresh();
        const a = makeLog({ at: 3, attributes: { x: 1, y: { p: [1, "q"], r: null } } });
        const reordered = { ...a, attributes: { y: { r: null, p: [1, "q"] }, x: 1 } };
        expect(store.insertLogs([a, makeLog({ at: 3, body: "b" })]).stored).toHaveLength(2);
        expect(store.insertLogs([makeLog({ at: 3, body: "b" }), reordered])).toEqual({ stored: [], duplicates: 2 });
        expect(bodies(store, { order: "asc" })).toEqual(["hello", "b"]);
      });
    });

    describe("an import at the bound", () => {
      /** A full store of `maxLogs` records, "old 1" at 1 ms first, and copies of them as an import holds them. */
      async function full(maxLogs: number) {
        const store = await fresh(maxLogs);
        const held = Array.from({ length: maxLogs }, (_, i) => makeLog({ at: i + 1, body: `old ${i + 1}` }));
        store.insertLogs(held, { mayBeSentAgain: false });
        const copies = (from: number, to: number) => structuredClone(held.slice(from - 1, to));
        return { store, copies };
      }
      const fresh100 = (count: number) =>
        Array.from({ length: count }, (_, i) => makeLog({ at: 10_000 + i, body: `new ${i + 1}` }));
      /** Each body the store holds, and how many times. */
      function held(store: LogStore): Map<string, number> {
        const times = new Map<string, number>();
        for (const page of walkAll(store, { order: "asc" })) {
          for (const log of page) times.set(String(log.record.body), (times.get(String(log.record.body)) ?? 0) + 1);
        }
        return times;
      }
      /** Stores a request in slices of `size`, as a large request is stored; what its slices stored, added up. */
      function inSlices(store: LogStore, request: LogRecord[], size: number, between?: () => void) {
        let stored = 0;
        let duplicates = 0;
        for (let at = 0; at < request.length; at += size) {
          if (at > 0) between?.();
          const result = store.insertLogs(request.slice(at, at + size), { request });
          stored += result.stored.length;
          duplicates += result.duplicates;
        }
        return { stored, duplicates };
      }

      it("counts a record as stored against the newest of its equal stored copies, the one that outlives the others", async () => {
        const store = await fresh(4);
        const x = () => makeLog({ at: 5, body: "x" });
        // An app logged the same line twice (both kept, as live traffic is), with others between.
        store.insertLogs([x(), makeLog({ at: 6, body: "a" }), makeLog({ at: 7, body: "b" }), x()], {
          mayBeSentAgain: false,
        });
        // The new record evicts the older "x"; the newer one is still there for the file's one "x".
        const result = store.insertLogs([x(), ...fresh100(1)]);
        expect(result).toMatchObject({ duplicates: 1 });
        expect([...held(store)].sort()).toEqual([
          ["a", 1],
          ["b", 1],
          ["new 1", 1],
          ["x", 1],
        ]);
      });

      it("stores a record whose stored copy its own new records evict, and every one that copy's place evicts", async () => {
        const { store, copies } = await full(4);
        // "old 1" is the oldest: the new record evicts it, so its copy is stored, which evicts "old 2".
        const result = store.insertLogs([...copies(1, 2), ...fresh100(1)]);
        expect(result.duplicates).toBe(0);
        expect(result.stored.map((log) => log.record.body)).toEqual(["old 1", "old 2", "new 1"]);
        expect(bodies(store, { order: "asc" })).toEqual(["old 1", "old 2", "old 4", "new 1"]);
        // The newest are still found: a request that evicts none of its stored copies.
        expect(store.insertLogs([...copies(4, 4), ...fresh100(1)])).toEqual({ stored: [], duplicates: 2 });
      });

      it("keeps every record of a sliced import smaller than the bound, once, whatever evicts the stored copies", async () => {
        const { store, copies } = await full(500);
        // The oldest 200 records again, then 100 new: each slice of new records evicts stored copies the
        // earlier slices found, whose records are then stored.
        const request = [...copies(1, 200), ...fresh100(100)];
        const { stored, duplicates } = inSlices(store, request, 50);
        expect(stored + duplicates).toBe(request.length);
        expect(duplicates).toBe(0);
        const times = held(store);
        for (const record of request) expect(times.get(String(record.body))).toBe(1);
        expect([...times.values()].every((count) => count === 1)).toBe(true);
        expect(store.stats()).toMatchObject({ logs: 500 });
      });

      it("keeps a sliced import's record whose stored copy other traffic evicted between its slices", async () => {
        const { store, copies } = await full(10);
        const request = [...copies(1, 3), ...copies(6, 8), ...fresh100(2)];
        let live = 0;
        const { stored, duplicates } = inSlices(store, request, 2, () => {
          store.insertLogs([makeLog({ at: 20_000 + live, body: `live ${++live}` })], { mayBeSentAgain: false });
        });
        expect(stored + duplicates).toBe(request.length);
        const times = held(store);
        for (const record of request) expect(times.get(String(record.body))).toBe(1);
        expect([...times.values()].every((count) => count === 1)).toBe(true);
      });

      it("still finds the stored copies of a sliced import that evicts none of them", async () => {
        const { store, copies } = await full(500);
        const request = [...copies(301, 500), ...fresh100(100)];
        expect(inSlices(store, request, 50)).toEqual({ stored: 100, duplicates: 200 });
        expect(store.stats()).toMatchObject({ logs: 500 });
      });
    });

    describe("equal records", () => {
      // An SDK stamps times in milliseconds: a loop logs one line several times at one time.
      const retrying = () => makeLog({ at: 4, trace: 1, span: 1, body: "retrying" });

      it("are all kept within one request: each is a record of its own", async () => {
        const store = await fresh();
        const result = store.insertLogs([retrying(), retrying(), makeLog({ at: 4, body: "b" }), retrying()]);
        expect(result.duplicates).toBe(0);
        expect(result.stored.map((log) => log.record.body)).toEqual(["retrying", "retrying", "b", "retrying"]);
        expect(new Set(result.stored.map((log) => log.seq)).size).toBe(4);
        expect(bodies(store, { order: "asc" })).toEqual(["retrying", "retrying", "b", "retrying"]);
        expect(bodies(store, { traceId: traceId(1) })).toEqual(["retrying", "retrying", "retrying"]);
        expect(store.stats().logs).toBe(4);
      });

      it("of an import are kept as many times as the most of them one request held", async () => {
        const store = await fresh();
        store.insertLogs([retrying(), retrying()]);
        // Three of a line of which two are stored: the third is stored.
        expect(store.insertLogs([retrying(), retrying(), retrying()])).toMatchObject({ duplicates: 2 });
        expect(store.stats().logs).toBe(3);
        // A stored one beside a new record: the new record is stored.
        const result = store.insertLogs([retrying(), makeLog({ at: 4, body: "new" })]);
        expect(result).toMatchObject({ duplicates: 1 });
        expect(result.stored.map((log) => log.record.body)).toEqual(["new"]);
        expect(bodies(store, { order: "asc" })).toEqual([...Array(3).fill("retrying"), "new"]);
      });

      it("of an application's exporter are all kept, in requests that overlap too", async () => {
        const store = await fresh();
        const live = { mayBeSentAgain: false };
        expect(store.insertLogs([retrying()], live).stored).toHaveLength(1);
        expect(store.insertLogs([retrying()], live).stored).toHaveLength(1);
        expect(store.insertLogs([retrying(), retrying(), makeLog({ at: 4, body: "new" })], live)).toMatchObject({
          duplicates: 0,
        });
        expect(bodies(store, { order: "asc" })).toEqual([...Array(4).fill("retrying"), "new"]);
      });

      it("of a request sent again are not stored again, whatever slices it is stored in", async () => {
        const store = await fresh();
        const request = [retrying(), retrying(), retrying(), retrying(), makeLog({ at: 5 })];
        // A large request reaches the store in slices: they are one request, judged as a whole.
        expect(store.insertLogs(request.slice(0, 2), { request })).toMatchObject({ duplicates: 0 });
        expect(store.insertLogs(request.slice(2), { request })).toMatchObject({ duplicates: 0 });
        expect(store.stats().logs).toBe(5);
        // Its retry, sliced elsewhere (slices follow the time they take), and after another request.
        store.insertLogs([makeLog({ at: 9, body: "later" })]);
        const retry = structuredClone(request);
        expect(store.insertLogs(retry.slice(0, 1), { request: retry })).toEqual({ stored: [], duplicates: 1 });
        expect(store.insertLogs(retry.slice(1), { request: retry })).toEqual({ stored: [], duplicates: 4 });
        // Sent again whole.
        expect(store.insertLogs(structuredClone(request))).toEqual({ stored: [], duplicates: 5 });
        expect(store.stats().logs).toBe(6);
        expect(bodies(store, { traceId: traceId(1) })).toEqual(Array(4).fill("retrying"));
      });

      it("is stored again once the original was evicted or cleared", async () => {
        const store = await fresh(2);
        const first = makeLog({ at: 1, body: "first" });
        store.insertLogs([first, makeLog({ at: 2 }), makeLog({ at: 3 })]);
        expect(bodies(store)).toEqual(["hello", "hello"]);
        expect(store.insertLogs([structuredClone(first)])).toMatchObject({ duplicates: 0 });
        expect(bodies(store, { order: "asc" })).toEqual(["first", "hello"]);
        store.clear();
        expect(store.insertLogs([structuredClone(first)])).toMatchObject({ duplicates: 0 });
        expect(bodies(store)).toEqual(["first"]);
      });
    });

    describe("order", () => {
      it("lists newest first by time, ties in arrival order reversed; asc is the exact reverse", async () => {
        const store = await fresh();
        store.insertLogs([makeLog({ at: 5, body: "t5" }), makeLog({ at: 1, body: "t1-a" })]);
        store.insertLogs([makeLog({ at: 9, body: "t9" }), makeLog({ at: 1, body: "t1-b" })]);
        store.insertLogs([makeLog({ at: 3, body: "t3" })]);
        expect(bodies(store)).toEqual(["t9", "t5", "t3", "t1-b", "t1-a"]);
        expect(bodies(store, { order: "asc" })).toEqual(["t1-a", "t1-b", "t3", "t5", "t9"]);
      });

      it("returns an empty page from an empty store", async () => {
        const store = await fresh();
        expect(store.listLogs(query())).toEqual({ logs: [] });
        expect(store.listLogs(query({ order: "asc", traceId: traceId(1) }))).toEqual({ logs: [], matched: 0 });
      });
    });

    describe("paging", () => {
      it("walks every record exactly once in both orders, with and without filters", async () => {
        const store = await fresh();
        // Many equal times, so pages must split inside a run of ties.
        for (let batch = 0; batch < 10; batch++) {
          store.insertLogs(
            Array.from({ length: 17 }, (_, i) =>
              makeLog({ at: (batch * 7 + i) % 13, body: `b${batch}-${i}`, trace: i % 3 === 0 ? 1 : 2 }),
            ),
          );
        }
        for (const order of ["desc", "asc"] as const) {
          for (const filter of [{}, { traceId: traceId(1) }, { q: "b3-" }]) {
            const whole = store.listLogs(query({ order, ...filter })).logs;
            for (const limit of [1, 4, 17, 50]) {
              const pages = walkAll(store, { order, limit, ...filter });
              expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
              expect(pages.flat()).toEqual(whole);
            }
          }
        }
      });

      it("counts a trace's matching records on every page, whatever its other filters, and no other query's", async () => {
        const store = await fresh();
        store.insertLogs(
          Array.from({ length: 30 }, (_, i) =>
            makeLog({
              at: i,
              body: `r${i}`,
              trace: i % 3 === 0 ? 2 : 1,
              span: i % 2 === 0 ? 1 : 2,
              severityNumber: i % 5 === 0 ? SEVERITY_NUMBER.ERROR : SEVERITY_NUMBER.INFO,
            }),
          ),
        );
        const counted = (input: QueryInput) => {
          const first = store.listLogs(query({ ...input, limit: 3 }));
          const next = store.listLogs(query({ ...input, limit: 3, cursor: first.nextCursor as string }));
          // The count is the query's, not the page's: the same on every page, in both orders.
          expect(next.matched).toBe(first.matched);
          expect(store.listLogs(query({ ...input, order: "asc" })).matched).toBe(first.matched);
          expect(first.matched).toBe(store.listLogs(query(input)).logs.length);
          return first.matched;
        };
        expect(counted({ traceId: traceId(1) })).toBe(20);
        expect(counted({ traceId: traceId(1), spanId: spanId(2) })).toBe(10);
        expect(counted({ traceId: traceId(1), minSeverity: "ERROR" })).toBe(4);
        expect(counted({ traceId: traceId(1), sinceUnixNano: ms(20), q: "r2" })).toBe(7);
        expect(store.listLogs(query({ traceId: traceId(9) })).matched).toBe(0);
        for (const input of [{}, { minSeverity: "ERROR" as const }, { q: "r1" }, { sinceUnixNano: ms(10) }]) {
          expect(store.listLogs(query({ ...input, limit: 3 })).matched).toBeUndefined();
        }
      });

      it("counts the matches of a counted query while they are within its bound in all, and not past it", async () => {
        const store = await fresh();
        const n = LOG_COUNT_BUDGET + 300;
        store.insertLogs(
          Array.from({ length: n }, (_, i) =>
            makeLog({
              at: i,
              body: i % 100 === 0 ? `rare ${i}` : `common ${i}`,
              service: i % 2 === 0 ? "even" : "odd",
              severityNumber: i % 10 === 0 ? SEVERITY_NUMBER.ERROR : SEVERITY_NUMBER.INFO,
            }),
          ),
        );
        const matched = (input: QueryInput) => store.listLogs(query({ limit: 3, ...input, count: true })).matched;
        expect(matched({ minSeverity: "ERROR" })).toBe(n / 10);
        expect(matched({ minSeverity: "ERROR", order: "asc" })).toBe(n / 10);
        expect(matched({ q: "rare" })).toBe(n / 100);
        expect(matched({ service: "odd", sinceUnixNano: ms(n - 50) })).toBe(25);
        expect(matched({ service: "none" })).toBe(0);
        expect(matched({ minSeverity: "ERROR", limit: 1000 })).toBe(n / 10);
        // From a cursor on: the records after it.
        const first = store.listLogs(query({ limit: 5, minSeverity: "ERROR", count: true }));
        const next = store.listLogs(
          query({ limit: 5, minSeverity: "ERROR", count: true, cursor: first.nextCursor as string }),
        );
        expect(next.matched).toBe(n / 10 - 5);
        // Past the budget the count is not given, nor is it without `count`.
        expect(matched({ service: "even" })).toBe(n / 2);
        expect(matched({})).toBeUndefined();
        expect(matched({ q: "common" })).toBeUndefined();
        expect(store.listLogs(query({ limit: 3, minSeverity: "ERROR" })).matched).toBeUndefined();
        // The bound is on the matches in all, whatever the limit: a recount of one record answers as a page of 200.
        for (const limit of [1, 200, 1000]) {
          expect(matched({ sinceUnixNano: ms(n - LOG_COUNT_BUDGET), limit })).toBe(LOG_COUNT_BUDGET);
          expect(matched({ sinceUnixNano: ms(n - LOG_COUNT_BUDGET - 1), limit })).toBeUndefined();
        }
        // The page is what it is without counting.
        expect(store.listLogs(query({ limit: 3, q: "rare", count: true })).logs).toEqual(
          store.listLogs(query({ limit: 3, q: "rare" })).logs,
        );
      });

      it("serves a cursor's next page after newer records arrived", async () => {
        const store = await fresh();
        store.insertLogs([1, 2, 3, 4].map((at) => makeLog({ at, body: `t${at}` })));
        const first = store.listLogs(query({ limit: 2 }));
        expect(first.logs.map((log) => log.record.body)).toEqual(["t4", "t3"]);
        store.insertLogs([makeLog({ at: 10, body: "t10" })]);
        const second = store.listLogs(query({ limit: 2, cursor: first.nextCursor as string }));
        expect(second.logs.map((log) => log.record.body)).toEqual(["t2", "t1"]);
        expect(second.nextCursor).toBeUndefined();
      });

      it("rejects a cursor it did not issue", async () => {
        const store = await fresh();
        for (const cursor of ["nope", "12", "1_x", "_1", `${"9".repeat(30)}_1`]) {
          expect(() => store.listLogs(query({ cursor }))).toThrow(AppError);
        }
      });
    });

    describe("filters", () => {
      it("filters by service", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ service: "web", body: "w" }),
          makeLog({ service: "db", body: "d" }),
          makeLog({ service: "webby", body: "x" }),
        ]);
        expect(bodies(store, { service: "web" })).toEqual(["w"]);
        expect(bodies(store, { service: "nothing" })).toEqual([]);
      });

      it("filters by severity at least a level, the text deciding when the number is 0", async () => {
        const store = await fresh();
        const records = LOG_SEVERITIES.slice(1).map((severity, i) =>
          makeLog({ at: i, severityNumber: SEVERITY_NUMBER[severity as keyof typeof SEVERITY_NUMBER], body: severity }),
        );
        records.push(makeLog({ at: 10, severityNumber: 0, severityText: "warning", body: "text-warn" }));
        records.push(makeLog({ at: 11, severityNumber: 0, body: "unspecified" }));
        records.push(makeLog({ at: 12, severityNumber: 24, body: "fatal4" }));
        store.insertLogs(records);
        expect(bodies(store, { minSeverity: "WARN", order: "asc" })).toEqual([
          "WARN",
          "ERROR",
          "FATAL",
          "text-warn",
          "fatal4",
        ]);
        expect(bodies(store, { minSeverity: "FATAL", order: "asc" })).toEqual(["FATAL", "fatal4"]);
        expect(bodies(store, { minSeverity: "TRACE" })).toHaveLength(8);
        expect(bodies(store, { minSeverity: "UNSPECIFIED" })).toHaveLength(9);
      });

      it("finds free text in string and structured bodies and in attribute values, ignoring case", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 1, body: "Payment DECLINED for order 7" }),
          makeLog({ at: 2, body: { event: { detail: ["card declined"] } } }),
          makeLog({ at: 3, body: "ok", attributes: { reason: { nested: "Declined by bank" } } }),
          makeLog({ at: 4, body: 4021, attributes: { count: 17 } }),
          makeLog({ at: 5, body: "ok", attributes: { declined: "no, the key does not count" } }),
          makeLog({ at: 6, body: 'naïve – 日本語 "quoted" \\ back' }),
        ]);
        expect(bodies(store, { q: '"declined"', order: "asc" })).toEqual([
          "Payment DECLINED for order 7",
          { event: { detail: ["card declined"] } },
          "ok",
        ]);
        // A bare word also finds the records with an attribute of that key (quoted text only text).
        expect(bodies(store, { q: "declined" })).toHaveLength(4);
        expect(bodies(store, { q: "402" })).toEqual([4021]);
        expect(bodies(store, { q: "17" })).toEqual([4021]);
        expect(bodies(store, { q: "日本" })).toHaveLength(1);
        expect(bodies(store, { q: '"quoted" \\' })).toHaveLength(1);
        expect(bodies(store, { q: "  NAÏVE " })).toHaveLength(1);
        expect(bodies(store, { q: '"does not count"' })).toEqual(["ok"]);
      });

      it("finds the keys of a structured body as its text, at any depth, as a JSON string body holds them", async () => {
        const store = await fresh();
        const structured = { structured: true, user: { email: "a@b.c" } };
        store.insertLogs([
          makeLog({ at: 1, body: structured }),
          makeLog({ at: 2, body: JSON.stringify(structured) }),
          makeLog({ at: 3, body: "plain", attributes: { email: "x@y.z" } }),
          makeLog({ at: 4, body: [{ Structured: 1 }] }),
        ]);
        expect(bodies(store, { q: "structured", order: "asc" })).toEqual([
          structured,
          JSON.stringify(structured),
          [{ Structured: 1 }],
        ]);
        expect(bodies(store, { q: '"EMAIL"', order: "asc" })).toEqual([structured, JSON.stringify(structured)]);
        // A bare word also finds an attribute's key, as before.
        expect(bodies(store, { q: "email" })).toHaveLength(3);
        expect(bodies(store, { q: "a@b.c" })).toHaveLength(2);
        expect(bodies(store, { q: "structured -email" })).toEqual([[{ Structured: 1 }]]);
        expect(bodies(store, { q: "user email", order: "asc" })).toEqual([structured, JSON.stringify(structured)]);
      });

      it("finds an event named by the older event.name attribute by name=, as one named by event_name", async () => {
        const store = await fresh();
        store.insertLogs([
          // As the OpenTelemetry OpenAI instrumentation for Node writes a prompt.
          makeLog({ at: 1, body: { content: "A mug?" }, attributes: { "event.name": "gen_ai.user.message" } }),
          { ...makeLog({ at: 2, body: "choice" }), eventName: "gen_ai.choice" },
          makeLog({ at: 3, body: "plain" }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("name=gen_ai.user.message")).toEqual([{ content: "A mug?" }]);
        expect(asc("name~gen_ai")).toEqual([{ content: "A mug?" }, "choice"]);
      });

      it("reads the trace list's query language: levels, attributes, body, service, event names", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({
            at: 1,
            body: "payment declined",
            severityNumber: SEVERITY_NUMBER.WARN,
            service: "pay",
            attributes: { "http.status_code": 402, user: "ada" },
          }),
          makeLog({ at: 2, body: "ok", service: "web", attributes: { "http.response.status_code": 200 } }),
          {
            ...makeLog({ at: 3, body: { msg: "timeout" }, severityNumber: SEVERITY_NUMBER.ERROR, service: "pay" }),
            eventName: "job.failed",
          },
          makeLog({ at: 4, body: "debug noise", severityNumber: SEVERITY_NUMBER.DEBUG, service: "web" }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("severity>=warn")).toEqual(["payment declined", { msg: "timeout" }]);
        expect(asc("level=ERROR")).toEqual([{ msg: "timeout" }]);
        expect(asc("severity<info")).toEqual(["debug noise"]);
        expect(asc("severity>=13")).toEqual(["payment declined", { msg: "timeout" }]);
        // Old and new semantic-convention names find each other, as in the trace list.
        expect(asc("http.status_code>=400")).toEqual(["payment declined"]);
        expect(asc("http.status_code=200")).toEqual(["ok"]);
        expect(asc("service.name=web")).toEqual(["ok", "debug noise"]);
        expect(asc("service=pay -declined")).toEqual([{ msg: "timeout" }]);
        expect(asc("body~TIMEOUT")).toEqual([{ msg: "timeout" }]);
        expect(asc('body="debug noise"')).toEqual(["debug noise"]);
        expect(asc("name=job.failed")).toEqual([{ msg: "timeout" }]);
        expect(asc("user")).toEqual(["payment declined"]);
        expect(asc("user=ada | timeout")).toEqual(["payment declined", { msg: "timeout" }]);
        expect(asc('"payment declined"')).toEqual(["payment declined"]);
        expect(asc("payment -declined")).toEqual([]);
        const refusal = (q: string) => {
          try {
            bodies(store, { q });
          } catch (error) {
            return {
              status: (error as AppError).status,
              message: (error as Error).message,
              details: (error as AppError).details,
            };
          }
          return null;
        };
        expect(refusal("ok status=error")).toMatchObject({ status: 400, details: { position: 3 } });
        expect(refusal("ok status=error")?.message).toContain("severity>=error");
        expect(refusal("duration>1s")).toMatchObject({ status: 400, details: { position: 0 } });
        expect(refusal("severity>=loud")).toMatchObject({ status: 400, details: { position: 10 } });
        expect(refusal("severity>=loud")?.message).toContain('"loud" is not a level');
        expect(refusal("(declined")).toMatchObject({ status: 400, details: { position: 0 } });
        expect(refusal("severity~warn")).toMatchObject({ status: 400 });
      });

      it("finds attributes named as a span's fields or a record's level by @key or a quoted key; the bare key says so", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({
            at: 1,
            body: "charge failed",
            severityNumber: SEVERITY_NUMBER.INFO,
            attributes: { status: 500, kind: "job", duration: 12, operation: "charge", level: "warn" },
          }),
          makeLog({ at: 2, body: "warned", severityNumber: SEVERITY_NUMBER.WARN, attributes: { status: 200 } }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        for (const q of ["@status=500", "@status:500", '"status"=500', '"status" = 500', "@status>=500"]) {
          expect(asc(q)).toEqual(["charge failed"]);
        }
        expect(asc("@kind=job @duration>10 @operation=charge")).toEqual(["charge failed"]);
        expect(asc("@status!=500")).toEqual(["warned"]);
        // The attribute named level, not the record's level (which `level=warn` reads).
        expect(asc("@level=warn")).toEqual(["charge failed"]);
        expect(asc("level=warn")).toEqual(["warned"]);
        const refusal = (q: string) => {
          try {
            bodies(store, { q });
          } catch (error) {
            return (error as Error).message;
          }
          return null;
        };
        expect(refusal("status=500")).toBe(
          "log records have no status field: severity>=error finds failures; @status=500 finds the attribute",
        );
        expect(refusal("kind=job")).toContain("@kind=job finds the attribute");
        expect(refusal("duration>10")).toContain("@duration>10 finds the attribute");
        expect(refusal('operation="charge"')).toContain('@operation="charge" finds the attribute');
      });

      it("reads a dotted key as a path into map attributes (winston's and pino's nested metadata)", async () => {
        const store = await fresh();
        const pino = { name: "@opentelemetry/instrumentation-pino", version: "0.46.0" };
        store.insertLogs([
          makeLog({ at: 1, body: "winston", attributes: { user: { id: 5, "org.name": "acme" } } }),
          { ...makeLog({ at: 2, body: "pino", attributes: { nested: { a: 1, deeper: { b: "x" } } } }), scope: pino },
          makeLog({ at: 3, body: "flat", attributes: { "user.id": 6 } }),
          makeLog({ at: 4, body: "other", attributes: { user: "ada" } }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("user.id=5")).toEqual(["winston"]);
        expect(asc("user.id>=5")).toEqual(["winston", "flat"]);
        expect(asc("user.id!=6")).toEqual(["winston"]);
        expect(asc("user.org.name~ACM")).toEqual(["winston"]);
        expect(asc("nested.a=1")).toEqual(["pino"]);
        expect(asc("nested.deeper.b=x")).toEqual(["pino"]);
        expect(asc("@nested.a:1")).toEqual(["pino"]);
        // A record of another scope, found by its map (the scope's prefilter lets it through).
        expect(asc("otel.scope.name~pino | user.id=5")).toEqual(["winston", "pino"]);
        expect(asc("user.name=ada")).toEqual([]);
      });

      it("reads a dotted key into a map attribute whose own key holds dots", async () => {
        const store = await fresh();
        const pino = { name: "@opentelemetry/instrumentation-pino", version: "0.46.0" };
        const customer = { "app.customer": { tier: "gold" } };
        store.insertLogs([
          makeLog({ at: 1, body: "customer", attributes: customer }),
          { ...makeLog({ at: 2, body: "kv", attributes: { "s.kv": { id: 5, org: { name: "acme" } } } }), scope: pino },
          makeLog({ at: 3, body: "both", attributes: { "a.b": { c: 1 }, a: { b: { c: 2 } } } }),
          { ...makeLog({ at: 4, body: "resource" }), resource: { "service.name": "api", "k8s.pod": { zone: "b" } } },
          makeLog({ at: 5, body: "flat", attributes: { "app.customer.tier": "silver" } }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("app.customer.tier=gold")).toEqual(["customer"]);
        expect(asc("app.customer.tier~gol")).toEqual(["customer"]);
        expect(asc("app.customer.tier!=silver")).toEqual(["customer"]);
        expect(asc("s.kv.id=5")).toEqual(["kv"]);
        expect(asc("s.kv.org.name=acme")).toEqual(["kv"]);
        expect(asc("a.b.c=1")).toEqual(["both"]);
        expect(asc("a.b.c=2")).toEqual(["both"]);
        expect(asc("k8s.pod.zone=b")).toEqual(["resource"]);
        // A record of another scope, found by its map (the scope's prefilter lets it through).
        expect(asc("otel.scope.name~pino | app.customer.tier=gold")).toEqual(["customer", "kv"]);
      });

      it("finds numeric text by a number in any form, and by its own text exactly", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 1, body: "plain", attributes: { numtext: "250" } }),
          makeLog({ at: 2, body: "point", attributes: { numtext: "250.0" } }),
          makeLog({ at: 3, body: "exponent", attributes: { numtext: "2.5e2" } }),
          makeLog({ at: 4, body: "other", attributes: { numtext: "251" } }),
          makeLog({ at: 5, body: "over", attributes: { big: "9007199254740993" } }),
          makeLog({ at: 6, body: "at", attributes: { big: "9007199254740992" } }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("numtext=250")).toEqual(["plain", "point", "exponent"]);
        expect(asc("numtext=2.5e2")).toEqual(["plain", "point", "exponent"]);
        expect(asc("numtext!=250.0")).toEqual(["other"]);
        expect(asc("big=9007199254740993")).toEqual(["over"]);
        expect(asc("big=9007199254740992")).toEqual(["at"]);
      });

      it("compares integers past 2^53, kept as their digits, exactly", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 1, body: "over", attributes: { big: "9007199254740993" } }),
          makeLog({ at: 2, body: "at", attributes: { big: "9007199254740992" } }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("big>9007199254740992")).toEqual(["over"]);
        expect(asc("big<9007199254740993")).toEqual(["at"]);
        expect(asc("big>=9007199254740993")).toEqual(["over"]);
      });

      it("reads key:value as a record's field or attribute, body:text as text in the body, and span terms as text", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 1, body: "upstream answered status:500 in duration:12ms", service: "pay" }),
          makeLog({ at: 2, body: "scheduled kind:Pod web-1", service: "web" }),
          makeLog({
            at: 3,
            body: "Connection TIMEOUT",
            severityNumber: SEVERITY_NUMBER.ERROR,
            service: "web",
            attributes: { "url.full": "http://x:8080/a?b=c", "http.target": "/a?b=c" },
          }),
          makeLog({ at: 4, body: "timeout", service: "pay" }),
          { ...makeLog({ at: 5, body: "run 7", service: "web" }), eventName: "job.failed" },
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("name:job.failed")).toEqual(["run 7"]);
        expect(asc("status:500")).toEqual(["upstream answered status:500 in duration:12ms"]);
        expect(asc("duration:12ms")).toEqual(["upstream answered status:500 in duration:12ms"]);
        expect(asc("kind:Pod")).toEqual(["scheduled kind:Pod web-1"]);
        expect(asc("body:timeout")).toEqual(["Connection TIMEOUT", "timeout"]);
        expect(asc("body:connection")).toEqual(["Connection TIMEOUT"]);
        // Quoted, the phrase in the body (any case), as a quoted search finds it; body= is the whole body.
        expect(asc('body:"connection timeout"')).toEqual(["Connection TIMEOUT"]);
        expect(asc('body="connection timeout"')).toEqual([]);
        expect(asc("level:error")).toEqual(["Connection TIMEOUT"]);
        expect(asc("service:pay")).toEqual(["upstream answered status:500 in duration:12ms", "timeout"]);
        expect(asc("url.full:http://x:8080/a?b=c")).toEqual(["Connection TIMEOUT"]);
        expect(asc("http.target:/a?b=c")).toEqual(["Connection TIMEOUT"]);
      });

      it("reads otel.scope.name and .version (otel.library.* too) as the record's instrumentation scope, as the trace list does", async () => {
        const store = await fresh();
        const winston = { name: "@opentelemetry/winston-transport", version: "0.9.0" };
        const pino = { name: "pino-logger", version: "2.1.0" };
        store.insertLogs([
          { ...makeLog({ at: 1, body: "from winston" }), scope: winston },
          { ...makeLog({ at: 2, body: "from pino" }), scope: pino },
          // A record that carries an attribute of that name (as a bridge may set it) is found by it too.
          makeLog({ at: 3, body: "tagged", attributes: { "otel.scope.name": "pino-logger" } }),
        ]);
        const asc = (q: string) => bodies(store, { q, order: "asc" });
        expect(asc("otel.scope.name=pino-logger")).toEqual(["from pino", "tagged"]);
        expect(asc("otel.scope.name=PINO-LOGGER")).toEqual([]);
        expect(asc("otel.scope.name~WINSTON")).toEqual(["from winston"]);
        expect(asc("otel.scope.version=2.1.0")).toEqual(["from pino"]);
        expect(asc("otel.library.name=@opentelemetry/winston-transport")).toEqual(["from winston"]);
        expect(asc("otel.library.version~0.9")).toEqual(["from winston"]);
        expect(asc("otel.scope.name!=pino-logger")).toEqual(["from winston"]);
        expect(asc("-otel.scope.name=test-logger")).toEqual(["from winston", "from pino"]);
        expect(asc("otel.scope.name=pino-logger from")).toEqual(["from pino"]);
      });

      it("finds a scope term's records by their scope or by an attribute of that name, in AND, OR and NOT alike", async () => {
        const store = await fresh();
        const winston = { name: "winston", version: "0.9.0" };
        const pino = { name: "pino-logger", version: "2.1.0" };
        const tagged = { "otel.scope.name": "pino-logger" };
        store.insertLogs([
          { ...makeLog({ at: 1, body: "w plain" }), scope: winston },
          { ...makeLog({ at: 2, body: "p plain" }), scope: pino },
          { ...makeLog({ at: 3, body: "w attr", attributes: tagged }), scope: winston },
          {
            ...makeLog({ at: 4, body: "w resource", service: "bridge" }),
            resource: { ...resourceFor("bridge"), ...tagged },
            scope: winston,
          },
          { ...makeLog({ at: 5, body: "p cache miss" }), scope: pino },
          {
            ...makeLog({ at: 6, body: "w version attr", attributes: { "otel.library.version": "2.1.5" } }),
            scope: winston,
          },
          {
            ...makeLog({ at: 7, body: "w both attrs", attributes: { ...tagged, "otel.library.version": "2.1.5" } }),
            scope: winston,
          },
        ]);
        const asc = (q: string, more: QueryInput = {}) => bodies(store, { q, order: "asc", ...more });
        expect(asc("otel.scope.name=pino-logger")).toEqual([
          "p plain",
          "w attr",
          "w resource",
          "p cache miss",
          "w both attrs",
        ]);
        // Attribute keys are matched exactly: the upper-case key reads the scope's name only.
        expect(asc("OTEL.SCOPE.NAME=pino-logger")).toEqual(["p plain", "p cache miss"]);
        expect(asc("otel.scope.name=pino-logger -cache")).toEqual(["p plain", "w attr", "w resource", "w both attrs"]);
        expect(asc("-otel.scope.name=pino-logger")).toEqual(["w plain", "w version attr"]);
        expect(asc("otel.scope.name=pino-logger OR plain")).toEqual([
          "w plain",
          "p plain",
          "w attr",
          "w resource",
          "p cache miss",
          "w both attrs",
        ]);
        expect(asc("otel.scope.name=pino-logger otel.library.version~2.1")).toEqual([
          "p plain",
          "p cache miss",
          "w both attrs",
        ]);
        expect(asc("(otel.scope.name=pino-logger cache) OR otel.scope.version=0.9.0")).toEqual([
          "w plain",
          "w attr",
          "w resource",
          "p cache miss",
          "w version attr",
          "w both attrs",
        ]);
        expect(asc("otel.scope.name=pino-logger", { service: "bridge" })).toEqual(["w resource"]);
        expect(asc("otel.scope.name=no-such-logger")).toEqual([]);
        // A record of another scope is found through text, in any case, or by an attribute's key.
        expect(asc("otel.scope.name=no-such-logger OR PLAIN")).toEqual(["w plain", "p plain"]);
        expect(asc("otel.scope.name=no-such-logger OR otel.library.version")).toEqual([
          "w version attr",
          "w both attrs",
        ]);
        expect(asc("otel.scope.name~logger", { limit: 2 })).toEqual(["p plain", "w attr"]);
        store.insertLogs([{ ...makeLog({ at: 7.5, body: "Échec du paiement" }), scope: winston }]);
        expect(asc("otel.scope.name=no-such-logger OR échec")).toEqual(["Échec du paiement"]);
        // A scope that arrives later is found by the same query.
        store.insertLogs([{ ...makeLog({ at: 8, body: "p3" }), scope: { name: "pino-logger", version: "3.0.0" } }]);
        expect(asc("otel.scope.name=pino-logger -attr")).toEqual(["p plain", "w resource", "p cache miss", "p3"]);
      });

      it("takes quoted text literally, wildcard and pattern characters included", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 1, body: "100% done_ok" }),
          makeLog({ at: 2, body: "1000 doneXok" }),
          makeLog({ at: 3, body: "a.b*c (d) [e] ^f$ g|h" }),
        ]);
        expect(bodies(store, { q: "0% d" })).toEqual(["100% done_ok"]);
        expect(bodies(store, { q: "E_OK" })).toEqual(["100% done_ok"]);
        expect(bodies(store, { q: "%" })).toEqual(["100% done_ok"]);
        expect(bodies(store, { q: "_" })).toEqual(["100% done_ok"]);
        expect(bodies(store, { q: '"a.b*c (d) [e] ^f$ g|h"' })).toEqual(["a.b*c (d) [e] ^f$ g|h"]);
        expect(bodies(store, { q: "a?b" })).toEqual([]);
      });

      it("filters by trace and by span, in time order either way", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 3, trace: 1, span: 2, body: "t1s2-late" }),
          makeLog({ at: 1, trace: 1, span: 1, body: "t1s1" }),
          makeLog({ at: 2, trace: 2, span: 2, body: "t2s2" }),
          makeLog({ at: 0, body: "no trace" }),
        ]);
        store.insertLogs([makeLog({ at: 2, trace: 1, span: 2, body: "t1s2-early" })]);
        expect(bodies(store, { traceId: traceId(1), order: "asc" })).toEqual(["t1s1", "t1s2-early", "t1s2-late"]);
        expect(bodies(store, { traceId: traceId(1) })).toEqual(["t1s2-late", "t1s2-early", "t1s1"]);
        expect(bodies(store, { traceId: traceId(1), spanId: spanId(2), order: "asc" })).toEqual([
          "t1s2-early",
          "t1s2-late",
        ]);
        expect(bodies(store, { spanId: spanId(2), order: "asc" })).toEqual(["t2s2", "t1s2-early", "t1s2-late"]);
        expect(bodies(store, { traceId: traceId(9) })).toEqual([]);
      });

      it("finds a pasted trace or span id in the search: the record's own id, or an attribute of that name", async () => {
        const store = await fresh();
        store.insertLogs([
          makeLog({ at: 1, trace: 1, span: 2, body: "t1s2" }),
          makeLog({ at: 2, trace: 2, span: 1, body: "t2s1" }),
          makeLog({ at: 3, body: "logged id", attributes: { trace_id: traceId(1) } }),
          makeLog({ at: 4, body: "no trace" }),
        ]);
        const q = (text: string) => bodies(store, { q: text, order: "asc" });
        expect(q(`trace_id=${traceId(1)}`)).toEqual(["t1s2", "logged id"]);
        expect(q(`traceId=${traceId(1).toUpperCase()}`)).toEqual(["t1s2"]);
        expect(q(`span_id=${spanId(1)}`)).toEqual(["t2s1"]);
        expect(q(`spanId=${spanId(2)} trace_id=${traceId(1)}`)).toEqual(["t1s2"]);
        expect(q(`trace_id!=${traceId(1)}`)).toEqual(["t2s1"]);
        expect(q(`trace_id=${traceId(9)}`)).toEqual([]);
        // Pasted bare, as copied from a log line or the trace page: the record's own ids too, not only its text.
        expect(q(traceId(1))).toEqual(["t1s2", "logged id"]);
        expect(q(traceId(2).toUpperCase())).toEqual(["t2s1"]);
        expect(q(spanId(2))).toEqual(["t1s2"]);
        expect(q(`${traceId(1)} -body~logged`)).toEqual(["t1s2"]);
        expect(q(traceId(9))).toEqual([]);
      });

      it("filters by a time range, both ends inclusive", async () => {
        const store = await fresh();
        store.insertLogs([0, 1, 2, 3, 4, 5].map((at) => makeLog({ at, body: at })));
        expect(bodies(store, { sinceUnixNano: ms(2), untilUnixNano: ms(4) })).toEqual([4, 3, 2]);
        expect(bodies(store, { sinceUnixNano: ms(2), untilUnixNano: ms(4), order: "asc" })).toEqual([2, 3, 4]);
        expect(bodies(store, { sinceUnixNano: ms(5) })).toEqual([5]);
        expect(bodies(store, { untilUnixNano: ms(0), order: "asc" })).toEqual([0]);
        expect(bodies(store, { sinceUnixNano: ms(4), untilUnixNano: ms(2) })).toEqual([]);
        expect(bodies(store, { traceId: traceId(1), sinceUnixNano: ms(0) })).toEqual([]);
      });

      it("leaves records dated after a window's end out of it, and finds them after it, whatever arrived first", async () => {
        const store = await fresh();
        const now = BigInt(Date.now()) * 1_000_000n;
        const minute = 60_000_000_000n;
        const dated = (time: bigint, body: string, severityNumber?: number) => ({
          ...makeLog({ body, ...(severityNumber === undefined ? {} : { severityNumber }) }),
          timeUnixNano: time,
          observedTimeUnixNano: now,
        });
        store.insertLogs([
          dated(now + 60n * minute, "an hour ahead", SEVERITY_NUMBER.ERROR),
          dated(now - minute, "a minute ago"),
          dated(now - 20n * minute, "too old"),
        ]);
        store.insertLogs([dated(now + 2n * minute, "two minutes ahead")]);
        const window = { sinceUnixNano: now - 15n * minute, untilUnixNano: now + minute };
        expect(bodies(store, window)).toEqual(["a minute ago"]);
        expect(bodies(store, { ...window, order: "asc" })).toEqual(["a minute ago"]);
        expect(bodies(store, { ...window, q: "ago" })).toEqual(["a minute ago"]);
        const ahead = { sinceUnixNano: now + minute + 1n };
        expect(bodies(store, ahead)).toEqual(["an hour ahead", "two minutes ahead"]);
        expect(bodies(store, { ...ahead, minSeverity: "ERROR" })).toEqual(["an hour ahead"]);
        expect(store.listLogs(query({ ...ahead, limit: 1 })).nextCursor).toBeDefined();
      });

      it("agrees with a plain scan for random records and queries (seeded)", async () => {
        const store = await fresh();
        const rand = prng(11);
        const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
        const all: StoredLog[] = [];
        for (let batch = 0; batch < 30; batch++) {
          const records = Array.from({ length: 1 + Math.floor(rand() * 20) }, () =>
            makeLog({
              at: Math.floor(rand() * 40),
              service: pick(["web", "db", "queue"]),
              severityNumber: Math.floor(rand() * 25),
              severityText: pick(["", "warning", "Error"]),
              body: pick(["alpha", "Beta", { nested: ["gamma"] }, null, 3]),
              attributes: rand() < 0.3 ? { "user.id": pick(["u-alpha", "u-delta"]) } : {},
              trace: rand() < 0.6 ? 1 + Math.floor(rand() * 4) : null,
              span: rand() < 0.5 ? 1 + Math.floor(rand() * 3) : null,
            }),
          );
          all.push(...store.insertLogs(records).stored);
        }
        for (let n = 0; n < 150; n++) {
          const input: QueryInput = { order: pick(["asc", "desc"] as const), limit: 1 + Math.floor(rand() * 30) };
          if (rand() < 0.3) input.service = pick(["web", "db", "nothing"]);
          if (rand() < 0.3) input.minSeverity = pick(LOG_SEVERITIES);
          if (rand() < 0.3) input.q = pick(["ALPHA", "gamma", "delta", "zzz"]);
          if (rand() < 0.3) input.traceId = traceId(1 + Math.floor(rand() * 5));
          if (rand() < 0.2) input.spanId = spanId(1 + Math.floor(rand() * 3));
          if (rand() < 0.3) input.sinceUnixNano = ms(Math.floor(rand() * 40));
          if (rand() < 0.3) input.untilUnixNano = ms(Math.floor(rand() * 40));
          const expected = scan(all, input);
          expect(
            walkAll(store, input).flat(),
            JSON.stringify(input, (_, v) => (typeof v === "bigint" ? `${v}` : v)),
          ).toEqual(expected);
        }
      });
    });

    describe("one record by its number", () => {
      it("is found while stored, unchanged, before and after other reads, and not once evicted or cleared", async () => {
        const store = await fresh(4);
        const record = richLog();
        const expected = structuredClone(record);
        const [first] = store.insertLogs([record]).stored;
        const seq = first?.seq as number;
        expect(store.getLog(seq)).toEqual({ seq, record: expected });
        // Read once the list has been read (a store with a file has written it by then).
        store.listLogs(query());
        expect(store.getLog(seq)).toEqual({ seq, record: expected });
        const later = store.insertLogs([1, 2, 3].map((i) => makeLog({ at: i, body: `later-${i}` }))).stored;
        for (const log of later) expect(store.getLog(log.seq)).toEqual(log);
        expect(store.getLog(seq + 100)).toBeUndefined();
        expect(store.getLog(0)).toBeUndefined();
        expect(store.getLog(-1)).toBeUndefined();
        expect(store.getLog(1.5)).toBeUndefined();
        // Past the bound the first arrival goes, and with it its number.
        store.insertLogs([makeLog({ at: 9, body: "newest" })]);
        expect(store.getLog(seq)).toBeUndefined();
        expect(store.getLog((later[0] as StoredLog).seq)).toEqual(later[0]);
        store.clear();
        expect(store.getLog((later[0] as StoredLog).seq)).toBeUndefined();
      });
    });

    describe("the services with records (logServices)", () => {
      it("lists every service with a record stored, by name, until its last record is evicted or cleared", async () => {
        const store = await fresh(4);
        let n = 0;
        // Each record its own body: a record equal to one stored would be taken for a request sent again.
        const of = (...services: string[]) => services.map((service) => makeLog({ service, body: `b${++n}` }));
        expect(store.logServices()).toEqual([]);
        store.insertLogs(of("web", "worker", "web"));
        expect(store.logServices()).toEqual(["web", "worker"]);
        // Past the bound the first record goes; each service keeps a newer one.
        store.insertLogs(of("db", "Zed"));
        expect(store.logServices()).toEqual(["Zed", "db", "web", "worker"]);
        // The worker's only record goes: the worker is no longer listed.
        store.insertLogs(of("db"));
        expect(store.logServices()).toEqual(["Zed", "db", "web"]);
        // A service whose every record is evicted in the batch that brought it is not listed either.
        store.insertLogs(of("gone", "db", "db", "db", "db"));
        expect(store.logServices()).toEqual(["db"]);
        store.clear();
        expect(store.logServices()).toEqual([]);
        store.insertLogs(of("after"));
        expect(store.logServices()).toEqual(["after"]);
      });
    });

    describe("in arrival order after a number (afterSeq)", () => {
      it("pages the records that arrived after one, oldest arrival first whatever their times, filtered, and none evicted", async () => {
        const store = await fresh(8);
        // Times out of arrival order: the list by time would mix them.
        const first = store.insertLogs([3, 1, 2].map((at) => makeLog({ at, body: `a-${at}` }))).stored;
        const second = store.insertLogs(
          [9, 0, 5, 4].map((at) => makeLog({ at, body: `b-${at}`, service: at === 5 ? "web" : "api" })),
        ).stored;
        const arrivedAfter = (afterSeq: number, input: QueryInput = {}) =>
          store.listLogs(query({ afterSeq, ...input }));
        const from = (first[0] as StoredLog).seq;
        expect(arrivedAfter(from).logs.map((log) => log.record.body)).toEqual([
          "a-1",
          "a-2",
          "b-9",
          "b-0",
          "b-5",
          "b-4",
        ]);
        // Pages of two: each next page starts after the last record of the one before.
        const page = arrivedAfter(from, { limit: 2 });
        expect(page.logs.map((log) => log.record.body)).toEqual(["a-1", "a-2"]);
        expect(page.nextCursor).toBeDefined();
        const next = arrivedAfter((page.logs[1] as StoredLog).seq, { limit: 2 });
        expect(next.logs.map((log) => log.record.body)).toEqual(["b-9", "b-0"]);
        const last = arrivedAfter((second[2] as StoredLog).seq, { limit: 2 });
        expect(last.logs.map((log) => log.record.body)).toEqual(["b-4"]);
        expect(last.nextCursor).toBeUndefined();
        // Filters apply; the order and the time bounds' direction do not change it.
        expect(arrivedAfter(from, { service: "web", order: "desc" }).logs.map((log) => log.record.body)).toEqual([
          "b-5",
        ]);
        expect(arrivedAfter(from, { q: "b-", sinceUnixNano: ms(4) }).logs.map((log) => log.record.body)).toEqual([
          "b-9",
          "b-5",
          "b-4",
        ]);
        expect(arrivedAfter((second[3] as StoredLog).seq).logs).toEqual([]);
        // Past the bound (8) the first arrival is gone: a number before it starts at the oldest kept.
        store.insertLogs([makeLog({ at: 7, body: "c-7" }), makeLog({ at: 8, body: "c-8" })]);
        expect(arrivedAfter(0).logs.map((log) => log.record.body)).toEqual([
          "a-1",
          "a-2",
          "b-9",
          "b-0",
          "b-5",
          "b-4",
          "c-7",
          "c-8",
        ]);
      });
    });

    describe("the last number given (lastSeq)", () => {
      it("is 0 before any record, then the last record's number, evicted, sent again or cleared since or not", async () => {
        const store = await fresh(2);
        expect(store.lastSeq()).toBe(0);
        const batch = [1, 2, 3].map((at) => makeLog({ at, body: `r-${at}` }));
        const stored = store.insertLogs(batch).stored;
        // The first arrival is evicted at once: the last number is still the batch's last.
        expect(stored.map((log) => log.record.body)).toEqual(["r-2", "r-3"]);
        expect(store.lastSeq()).toBe((stored[1] as StoredLog).seq);
        const last = store.lastSeq();
        expect(store.insertLogs(batch.slice(1)).stored).toEqual([]);
        expect(store.lastSeq()).toBe(last);
        store.clear();
        expect(store.lastSeq()).toBe(last);
        const [after] = store.insertLogs([makeLog({ body: "after" })]).stored;
        expect(store.lastSeq()).toBe(after?.seq);
        // The records after it: none, until one arrives.
        expect(store.listLogs(query({ afterSeq: store.lastSeq() })).logs).toEqual([]);
      });
    });

    describe("retention", () => {
      it("evicts the records that arrived first past the bound, and counts them", async () => {
        const store = await fresh(5);
        // The first arrivals go even though their times are the newest.
        store.insertLogs([1, 2, 3].map((i) => makeLog({ at: 100 + i, body: `first-${i}`, trace: 1 })));
        store.insertLogs([1, 2, 3, 4, 5].map((i) => makeLog({ at: i, body: `later-${i}`, trace: i === 5 ? 1 : 2 })));
        expect(store.stats()).toEqual({ logs: 5, maxLogs: 5, evictedLogs: 3 });
        expect(bodies(store, { order: "asc" })).toEqual(["later-1", "later-2", "later-3", "later-4", "later-5"]);
        expect(bodies(store, { traceId: traceId(1) })).toEqual(["later-5"]);
        expect(bodies(store, { q: "first" })).toEqual([]);
      });

      it("returns from insert only what is still stored when one batch passes the bound", async () => {
        const store = await fresh(3);
        const stored = store.insertLogs([1, 2, 3, 4, 5].map((i) => makeLog({ at: i, body: i }))).stored;
        expect(stored.map((log) => log.record.body)).toEqual([3, 4, 5]);
        expect(store.listLogs(query()).logs).toEqual([...stored].reverse());
        expect(store.stats()).toEqual({ logs: 3, maxLogs: 3, evictedLogs: 2 });
      });

      it("keeps the bound under a long stream, with every index in step", async () => {
        const store = await fresh(1000);
        for (let batch = 0; batch < 60; batch++) {
          store.insertLogs(
            Array.from({ length: 100 }, (_, i) =>
              makeLog({ at: batch * 100 + i, body: batch * 100 + i, trace: i % 7 }),
            ),
          );
        }
        expect(store.stats()).toEqual({ logs: 1000, maxLogs: 1000, evictedLogs: 5000 });
        const listed = walkAll(store, { limit: 333 }).flat();
        expect(listed.map((log) => log.record.body)).toEqual(Array.from({ length: 1000 }, (_, i) => 5999 - i));
        const ofTrace = bodies(store, { traceId: traceId(3), order: "asc" });
        expect(ofTrace).toEqual(
          listed
            .filter((log) => log.record.traceId === traceId(3))
            .map((l) => l.record.body)
            .reverse(),
        );
      });
    });

    describe("clear", () => {
      it("forgets every record, keeps numbering forward and accepts new records", async () => {
        const store = await fresh();
        const before = store.insertLogs([makeLog({ trace: 1 }), makeLog({ at: 1, trace: 1 })]).stored;
        store.clear();
        expect(store.listLogs(query())).toEqual({ logs: [] });
        expect(store.listLogs(query({ traceId: traceId(1) }))).toEqual({ logs: [], matched: 0 });
        expect(store.stats().logs).toBe(0);
        const [after] = store.insertLogs([makeLog({ body: "after", trace: 1 })]).stored;
        expect(after?.seq).toBeGreaterThan(Math.max(...before.map((log) => log.seq)));
        expect(bodies(store, { traceId: traceId(1) })).toEqual(["after"]);
      });
    });
  });
}

/** What a query must return, by brute force over every stored record. */
function scan(all: readonly StoredLog[], input: QueryInput): StoredLog[] {
  const needle = input.q?.trim() ? textMatcher(input.q.trim()) : undefined;
  const matches = (record: LogRecord) =>
    (input.service === undefined || record.service === input.service) &&
    (input.minSeverity === undefined || severityRank(record.severity) >= severityRank(input.minSeverity)) &&
    (needle === undefined || logContainsText(record, needle)) &&
    (input.traceId === undefined || record.traceId === input.traceId) &&
    (input.spanId === undefined || record.spanId === input.spanId) &&
    (input.sinceUnixNano === undefined || record.timeUnixNano >= input.sinceUnixNano) &&
    (input.untilUnixNano === undefined || record.timeUnixNano <= input.untilUnixNano);
  const sign = input.order === "asc" ? 1 : -1;
  return all
    .filter((log) => matches(log.record))
    .sort((a, b) => sign * compareLogPositions(a.record.timeUnixNano, a.seq, b.record.timeUnixNano, b.seq));
}
