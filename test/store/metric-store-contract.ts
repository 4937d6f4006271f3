import { afterEach, describe, expect, it } from "vitest";
import { averageRate } from "../../src/domain/counter-average.js";
import type { ReceivedMetric } from "../../src/domain/metric.js";
import { SERIES_RETENTION_MS } from "../../src/store/metric-collection.js";
import { MAX_POINT_KEYS } from "../../src/store/metric-point-keys.js";
import { TIERS } from "../../src/store/metric-series.js";
import type { MetricBounds, MetricQuery, MetricStore } from "../../src/store/metric-store.js";
import { exemplar, gauge, histogram, MINUTE, ns, SECOND, sum, summary, T0_MS } from "./metric-fixtures.js";

export type MetricStoreFactory = (bounds: MetricBounds) => MetricStore | Promise<MetricStore>;

/** The most entries one series can hold: every tier full. */
const MAX_ENTRIES = TIERS.reduce((n, t) => n + t.capacity, 0);

/** The behaviour every MetricStore must have; each implementation's test file runs it. */
export function describeMetricStoreContract(name: string, makeStore: MetricStoreFactory): void {
  describe(`${name}: MetricStore contract`, () => {
    const open: MetricStore[] = [];

    async function fresh(bounds: Partial<MetricBounds> = {}): Promise<MetricStore> {
      const store = await makeStore({ maxSeries: 1000, ...bounds });
      open.push(store);
      return store;
    }

    afterEach(() => {
      for (const store of open.splice(0)) store.close();
    });

    function query(store: MetricStore, q: Partial<MetricQuery> & { name: string }) {
      const result = store.query({ fromMs: T0_MS, toMs: T0_MS + MINUTE, stepMs: MINUTE, where: [], ...q });
      if (result === undefined) throw new Error(`no metric ${q.name}`);
      return result;
    }

    describe("a point sent again", () => {
      /** One export of every kind, with a resource as the decoders give it. */
      function exportOf(atMs: number, startMs = T0_MS - MINUTE): ReceivedMetric[] {
        const resource = { "service.name": "api", "host.name": "a" };
        const at = { atMs, startMs };
        return [
          gauge("queue", "api", [{ ...at, value: atMs % 7, attributes: { queue: "mail" } }]),
          sum("sent", "api", [{ ...at, value: 2 }], { temporality: "delta", monotonic: true }),
          sum("orders", "api", [{ ...at, value: atMs - T0_MS }], { temporality: "cumulative", monotonic: true }),
          histogram("latency", "api", [{ ...at, counts: [1, 2, 3], bounds: [10, 100] }]),
          summary("gc", "api", [{ atMs, count: 2, sum: 4, quantiles: [[0.5, 1]] }]),
        ].map((metric) => ({ ...metric, resource }));
      }
      const points = (metrics: readonly ReceivedMetric[]) => metrics.reduce((n, m) => n + m.data.points.length, 0);

      function answers(store: MetricStore) {
        const window = { fromMs: T0_MS, toMs: T0_MS + 10 * MINUTE, stepMs: MINUTE };
        return {
          stats: store.stats(),
          catalog: store.catalog({}),
          charts: ["queue", "sent", "orders", "latency", "gc"].map((name) => query(store, { name, ...window })),
          values: query(store, { name: "sent", ...window, chart: "value" }),
        };
      }

      it("is counted once: exports sent again add nothing, and every chart stays the same", async () => {
        const store = await fresh();
        const exports = Array.from({ length: 100 }, (_, i) => exportOf(T0_MS + i * 5 * SECOND));
        for (const metrics of exports) store.insert(metrics);
        const before = answers(store);
        for (const metrics of structuredClone(exports)) {
          expect(store.insert(metrics)).toMatchObject({ accepted: 0, duplicates: points(metrics), changedNames: [] });
        }
        expect(answers(store)).toEqual(before);
        // And all of them in one insert, newest first.
        const all = structuredClone(exports).reverse().flat();
        expect(store.insert(all)).toMatchObject({ accepted: 0, duplicates: points(all) });
        expect(answers(store)).toEqual(before);
      });

      it("is told apart by time, start time and resource: points that differ in one are all counted", async () => {
        const store = await fresh();
        const first = exportOf(T0_MS + SECOND);
        store.insert(first);
        // (A summary point has no start time.)
        const otherStart = exportOf(T0_MS + SECOND, T0_MS - 2 * MINUTE).filter((m) => m.data.kind !== "summary");
        const otherHost = exportOf(T0_MS + SECOND).map((m) => ({ ...m, resource: { "service.name": "api" } }));
        const otherTime = exportOf(T0_MS + SECOND + 1);
        for (const metrics of [otherStart, otherHost, otherTime]) {
          expect(store.insert(metrics)).toMatchObject({ accepted: points(metrics), duplicates: 0 });
        }
        expect(store.stats().points).toBe(4 * points(first) - 1);
        expect(store.insert(structuredClone([...otherHost, ...first]))).toMatchObject({ accepted: 0 });
      });

      it("takes a late point it has not had, and knows one sent again within one insert", async () => {
        const store = await fresh();
        const at = (s: number) => ({ atMs: T0_MS + s * SECOND, value: s });
        store.insert([gauge("queue", "api", [at(10), at(20), at(30)])]);
        expect(store.insert([gauge("queue", "api", [at(15), at(20), at(15), at(40)])])).toMatchObject({
          accepted: 2,
          duplicates: 2,
        });
        const counts = query(store, { name: "queue", stepMs: 10 * SECOND, chart: "value" }).series[0]?.values;
        expect(counts).toEqual([null, 15, 20, 30, 40, null]);
        expect(store.stats().points).toBe(5);
      });

      it(`keeps the newest ${MAX_POINT_KEYS} of a series apart, and takes an older point it has not had as received`, async () => {
        const store = await fresh();
        const at = (ms: number) => ({ atMs: T0_MS + ms, value: 1 });
        const many = Array.from({ length: MAX_POINT_KEYS + 50 }, (_, i) => at((i + 1) * SECOND));
        store.insert([sum("sent", "api", many, { temporality: "delta", monotonic: true })]);
        const again = structuredClone(many).reverse();
        expect(store.insert([sum("sent", "api", again, { temporality: "delta", monotonic: true })])).toMatchObject({
          accepted: 0,
          duplicates: many.length,
        });
        // Kept: the points of the newest 256 seconds; a point before those cannot be told from a resend.
        const older = [at(500), at(49 * SECOND + 500)];
        const late = [at(100 * SECOND + 500), at((MAX_POINT_KEYS + 40) * SECOND + 500)];
        expect(
          store.insert([sum("sent", "api", [...older, ...late], { temporality: "delta", monotonic: true })]),
        ).toMatchObject({ accepted: 2, duplicates: 2 });
        expect(store.stats().points).toBe(many.length + 2);
      });

      it("counts every TraceKit SDK point: each is a recorded value, two alike in one millisecond are two", async () => {
        const store = await fresh();
        const twice = [
          { atMs: T0_MS, value: 1 },
          { atMs: T0_MS, value: 1 },
        ];
        const clicks = sum("clicks", "web", twice, { temporality: "delta", monotonic: true, tracekit: true });
        expect(store.insert([clicks])).toMatchObject({ accepted: 2, duplicates: 0 });
        expect(query(store, { name: "clicks", chart: "value" }).series[0]?.values).toEqual([2]);
      });

      it("is counted again once the store was cleared", async () => {
        const store = await fresh();
        const metrics = exportOf(T0_MS + SECOND);
        store.insert(metrics);
        store.clear();
        expect(store.insert(structuredClone(metrics))).toMatchObject({ accepted: points(metrics), duplicates: 0 });
      });
    });

    describe("catalog", () => {
      it("lists each metric once with its kind, unit, services, attribute keys, series and newest time", async () => {
        const store = await fresh();
        const result = store.insert([
          gauge("cpu", "api", [{ atMs: T0_MS, value: 0.5, attributes: { core: "0" } }], {
            unit: "1",
            description: "CPU",
          }),
          gauge("cpu", "worker", [{ atMs: T0_MS + SECOND, value: 0.7, attributes: { core: "1", host: "b" } }]),
          sum("requests", "api", [{ atMs: T0_MS, value: 3 }], {
            temporality: "delta",
            monotonic: true,
            unit: "{request}",
          }),
        ]);
        expect(result).toEqual({
          accepted: 3,
          duplicates: 0,
          droppedPoints: 0,
          rejected: 0,
          errors: [],
          changedNames: ["cpu", "requests"],
        });
        const catalog = store.catalog({});
        expect(catalog).toMatchObject({ maxSeries: 1000, droppedSeries: 0, droppedPoints: 0 });
        expect(catalog.metrics).toEqual([
          {
            descriptor: { name: "cpu", description: "CPU", unit: "1", kind: "gauge", tracekit: false },
            services: ["api", "worker"],
            seriesPerService: [1, 1],
            lastTimeUnixNanoPerService: [ns(T0_MS), ns(T0_MS + SECOND)],
            attributeKeys: ["core", "host"],
            seriesCount: 2,
            lastTimeUnixNano: ns(T0_MS + SECOND),
            level: false,
          },
          {
            descriptor: {
              name: "requests",
              description: "",
              unit: "{request}",
              kind: "sum",
              temporality: "delta",
              monotonic: true,
              tracekit: false,
            },
            services: ["api"],
            seriesPerService: [1],
            lastTimeUnixNanoPerService: [ns(T0_MS)],
            attributeKeys: [],
            seriesCount: 1,
            lastTimeUnixNano: ns(T0_MS),
            level: false,
          },
        ]);
        expect(store.metric("cpu")).toEqual(catalog.metrics[0]);
        expect(store.metric("nope")).toBeUndefined();
        expect(store.query({ name: "nope", fromMs: 0, toMs: 1, stepMs: 1, where: [] })).toBeUndefined();
      });

      it("says the newest point of the service asked for, not the whole metric's", async () => {
        const store = await fresh();
        const delta = { temporality: "delta", monotonic: true } as const;
        // orders stopped sending it 15 minutes before gateway's newest point (at 0.5 ms past a millisecond).
        store.insert([
          sum("requests", "orders", [{ atMs: T0_MS, startMs: T0_MS - SECOND, value: 1 }], delta),
          sum("requests", "gateway", [{ atMs: T0_MS + 15 * MINUTE, startMs: T0_MS, value: 1 }], delta),
        ]);
        const latest = ns(T0_MS + 15 * MINUTE) + 500_000n;
        store.insert([
          {
            ...sum("requests", "gateway", [], delta),
            data: {
              kind: "sum",
              points: [
                {
                  attributes: {},
                  startTimeUnixNano: ns(T0_MS + 15 * MINUTE),
                  timeUnixNano: latest,
                  value: 1,
                  exemplars: [],
                  noRecordedValue: false,
                },
              ],
            },
          },
        ]);
        const [whole] = store.catalog({}).metrics;
        expect(whole?.lastTimeUnixNano).toBe(latest);
        // In the order of `services` (gateway, orders); the newest of all exact, the others to the millisecond.
        expect(whole?.lastTimeUnixNanoPerService).toEqual([latest, ns(T0_MS)]);
        expect(store.catalog({ service: "orders" }).metrics[0]?.lastTimeUnixNano).toBe(ns(T0_MS));
        expect(store.catalog({ service: "gateway" }).metrics[0]?.lastTimeUnixNano).toBe(latest);
        const window = { fromMs: T0_MS, toMs: T0_MS + 16 * MINUTE, stepMs: MINUTE };
        expect(query(store, { name: "requests", ...window, service: "orders" }).metric.lastTimeUnixNano).toBe(
          ns(T0_MS),
        );
        expect(query(store, { name: "requests", ...window }).metric.lastTimeUnixNano).toBe(latest);
      });

      it("says the temporality of the service asked for, and each of them when its series differ", async () => {
        const store = await fresh();
        // gateway first: the metric is stored as cumulative; orders exports it with delta temporality.
        store.insert([
          sum("requests", "gateway", [{ atMs: T0_MS, startMs: T0_MS - MINUTE, value: 5 }], {
            temporality: "cumulative",
            monotonic: true,
          }),
          sum("requests", "orders", [{ atMs: T0_MS, startMs: T0_MS - SECOND, value: 1 }], {
            temporality: "delta",
            monotonic: true,
          }),
        ]);
        const temporality = (info: { descriptor: { temporality?: string }; temporalities?: string[] } | undefined) => [
          info?.descriptor.temporality,
          info?.temporalities,
        ];
        expect(temporality(store.catalog({}).metrics[0])).toEqual(["cumulative", ["cumulative", "delta"]]);
        expect(temporality(store.catalog({ service: "orders" }).metrics[0])).toEqual(["delta", undefined]);
        expect(temporality(store.catalog({ service: "gateway" }).metrics[0])).toEqual(["cumulative", undefined]);
        const window = { fromMs: T0_MS, toMs: T0_MS + MINUTE, stepMs: MINUTE };
        expect(temporality(query(store, { name: "requests", ...window, service: "orders" }).metric)).toEqual([
          "delta",
          undefined,
        ]);
        expect(temporality(query(store, { name: "requests", ...window }).metric)).toEqual([
          "cumulative",
          ["cumulative", "delta"],
        ]);
      });

      it("filters by text in the name or description, and by service", async () => {
        const store = await fresh();
        store.insert([
          gauge("http.server.active_requests", "api", [{ atMs: T0_MS, value: 1 }]),
          gauge("queue.depth", "worker", [{ atMs: T0_MS, value: 1 }], { description: "Jobs waiting for HTTP" }),
        ]);
        const names = (q: Parameters<MetricStore["catalog"]>[0]) =>
          store.catalog(q).metrics.map((m) => m.descriptor.name);
        expect(names({ q: "HTTP" })).toEqual(["http.server.active_requests", "queue.depth"]);
        expect(names({ q: "active" })).toEqual(["http.server.active_requests"]);
        expect(names({ service: "worker" })).toEqual(["queue.depth"]);
        expect(names({ service: "nobody" })).toEqual([]);
      });

      it("refuses points of a name stored as another kind, and says why", async () => {
        const store = await fresh();
        store.insert([gauge("x", "api", [{ atMs: T0_MS, value: 1 }])]);
        const result = store.insert([
          sum(
            "x",
            "api",
            [
              { atMs: T0_MS, value: 1 },
              { atMs: T0_MS + 1, value: 2 },
            ],
            { temporality: "delta", monotonic: true },
          ),
        ]);
        expect(result).toMatchObject({ accepted: 0, rejected: 2, changedNames: [] });
        expect(result.errors).toEqual(['metric "x" is stored as a gauge; 2 sum point(s) refused']);
      });

      it("converts points sent in another unit of the same measure to the metric's, and refuses another measure", async () => {
        const store = await fresh();
        // Two services time the same requests, one in ms, the other in s: every series reads in ms.
        const inMs = histogram("rq.duration", "svc-a", [
          { atMs: T0_MS, counts: [0, 1, 0], bounds: [100, 200], sum: 150, min: 150, max: 150 },
        ]);
        const inSeconds = histogram("rq.duration", "svc-b", [
          { atMs: T0_MS, counts: [0, 1, 0], bounds: [0.1, 0.2], sum: 0.15, min: 0.15, max: 0.15 },
        ]);
        inSeconds.descriptor = { ...inSeconds.descriptor, unit: "s" };
        store.insert([inMs]);
        expect(store.insert([inSeconds])).toMatchObject({ accepted: 1, rejected: 0 });
        const result = query(store, { name: "rq.duration", fromMs: T0_MS - MINUTE, toMs: T0_MS + MINUTE });
        expect(result.metric.descriptor.unit).toBe("ms");
        // Both measured 150 ms: the percentiles over both series say so.
        expect(result.windowPercentiles).toMatchObject({ p50: 150, p99: 150 });
        // A gauge of bytes under a name kept in ms: refused, and said why.
        const bytes = gauge("rq.duration.bytes", "svc-a", [{ atMs: T0_MS, value: 1 }], { unit: "ms" });
        store.insert([bytes]);
        const refused = store.insert([
          gauge("rq.duration.bytes", "svc-b", [{ atMs: T0_MS, value: 2048 }], { unit: "KiBy" }),
        ]);
        expect(refused).toMatchObject({ accepted: 0, rejected: 1 });
        expect(refused.errors).toEqual(['metric "rq.duration.bytes" is stored in ms; 1 point(s) in KiBy refused']);
        // A unit not known here, beside a known one: taken as it comes, as before.
        store.insert([gauge("heap", "svc-a", [{ atMs: T0_MS, value: 5 }], { unit: "bytes" })]);
        expect(store.insert([gauge("heap", "svc-b", [{ atMs: T0_MS, value: 6 }], { unit: "By" })])).toMatchObject({
          accepted: 1,
          rejected: 0,
        });
        // A TraceKit SDK's points name their unit in a tag, which names their series: each converted, its tag then the metric's.
        const tagged = gauge("rq.duration.bytes", "tk", [{ atMs: T0_MS, value: 250, attributes: { unit: "s" } }], {
          tracekit: true,
        });
        expect(store.insert([tagged])).toMatchObject({ accepted: 1, rejected: 0 });
        const asValues = query(store, {
          name: "rq.duration.bytes",
          chart: "value",
          where: [["service.name", "tk"]],
          fromMs: T0_MS - MINUTE,
          toMs: T0_MS + MINUTE,
        });
        expect(asValues.series.flatMap((line) => line.values).filter((v) => v !== null)).toEqual([250_000]);
        expect(asValues.series.map((line) => line.attributes.unit)).toEqual(["ms"]);
        // A TraceKit SDK's first batch in two units: one series, in the first point's.
        const mixed = gauge(
          "tk.first.batch",
          "tk",
          [
            { atMs: T0_MS, value: 100, attributes: { unit: "ms" } },
            { atMs: T0_MS + 1, value: 2, attributes: { unit: "s" } },
          ],
          { tracekit: true },
        );
        expect(store.insert([mixed])).toMatchObject({ accepted: 2, rejected: 0 });
        const firstBatch = query(store, {
          name: "tk.first.batch",
          chart: "value",
          fromMs: T0_MS - MINUTE,
          toMs: T0_MS + MINUTE,
        });
        expect(firstBatch.series.map((line) => line.attributes.unit)).toEqual(["ms"]);
        // The metric's unit stays the first it came with, whatever unit later points say (known or not).
        store.insert([gauge("rq.duration.bytes", "svc-c", [{ atMs: T0_MS, value: 7 }], { unit: "{request}" })]);
        expect(query(store, { name: "rq.duration.bytes" }).metric.descriptor.unit).toBe("ms");
      });
    });

    describe("rates", () => {
      it("reads a steady rate in steps its points cover only partly (where they start, and where they stop)", async () => {
        const store = await fresh();
        // A delta counter adding 10 every 10 s (1/s), from T0 + 5 s to T0 + 95 s: 55 s of the first
        // minute, 35 s of the second.
        const points = Array.from({ length: 9 }, (_, k) => ({
          atMs: T0_MS + 15 * SECOND + k * 10 * SECOND,
          startMs: T0_MS + 5 * SECOND + k * 10 * SECOND,
          value: 10,
        }));
        store.insert([sum("requests", "api", points, { temporality: "delta", monotonic: true })]);
        const result = query(store, { name: "requests", toMs: T0_MS + 3 * MINUTE });
        expect(result.series[0]?.values.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9))).toEqual([
          1,
          1,
          null,
        ]);
        // What the counter grew by in each step comes with the rates: 55 and 35, not a rate × 60 s.
        expect(result.series[0]?.increases?.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9))).toEqual([
          55,
          35,
          null,
        ]);
      });

      it("reads the step an app stopped in at the rate it had, not over its last export's fraction of a second", async () => {
        const store = await fresh();
        // 10 jobs a second, all at once each second (a tick), exported every second from T0 + 1 s to
        // T0 + 20 s; on shutdown the SDK exports once more 0.25 s later, holding the last tick's 10. The
        // cumulative one's shutdown exports again 20 ms after that, unchanged.
        const ticks = Array.from({ length: 20 }, (_, k) => T0_MS + (k + 1) * SECOND);
        const last = T0_MS + 20 * SECOND + 250;
        store.insert([
          sum(
            "jobs",
            "delta-app",
            [...ticks, last].map((atMs, k) => ({
              atMs,
              startMs: k === 0 ? T0_MS : (ticks[k - 1] as number),
              value: 10,
            })),
            { temporality: "delta", monotonic: true },
          ),
          sum(
            "jobs",
            "cumulative-app",
            [...ticks, last, last + 20].map((atMs, k) => ({ atMs, startMs: T0_MS, value: 10 * Math.min(k + 1, 21) })),
            { temporality: "cumulative", monotonic: true },
          ),
        ]);
        const window = { name: "jobs", fromMs: T0_MS, toMs: T0_MS + 30 * SECOND, stepMs: 5 * SECOND };
        const rounded = (values: readonly (number | null)[] | undefined) =>
          values?.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9));
        for (const app of ["delta-app", "cumulative-app"]) {
          const result = query(store, { ...window, service: app });
          // Not 40/s in the step of the last 0.25 s: the 10 read at the rate before them, over a second.
          expect(rounded(result.series[0]?.values)).toEqual([10, 10, 10, 10, 10, null]);
          expect(rounded(result.series[0]?.increases)).toEqual([50, 50, 50, 50, 10, null]);
          // Its time counted ends at its last point all the same.
          expect(result.series[0]?.counted).toEqual({
            fromUnixMs: T0_MS,
            toUnixMs: app === "delta-app" ? last : last + 20,
          });
          // In steps as short as that second, the same.
          const fine = query(store, { ...window, service: app, stepMs: SECOND, fromMs: T0_MS + 18 * SECOND });
          expect(rounded(fine.series[0]?.values)).toEqual([
            10,
            10,
            10,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
          ]);
        }
        // Both apps together: 20/s to the end.
        expect(rounded(query(store, { ...window, groupBy: "*" }).series[0]?.values)).toEqual([
          20,
          20,
          20,
          20,
          20,
          null,
        ]);
        // A last export that holds only what the rate before it says keeps its own interval.
        store.insert([
          sum(
            "steady",
            "app",
            [...ticks, last].map((atMs, k) => ({
              atMs,
              startMs: k === 0 ? T0_MS : (ticks[k - 1] as number),
              value: k < 20 ? 10 : 2.5,
            })),
            { temporality: "delta", monotonic: true },
          ),
        ]);
        const steady = query(store, { ...window, name: "steady", stepMs: 250, fromMs: T0_MS + 20 * SECOND });
        expect(rounded(steady.series[0]?.values.slice(0, 2))).toEqual([10, null]);
      });

      it("reads every stop of a restarted app at the rate it had, not only its newest", async () => {
        const store = await fresh();
        // 10 jobs a second, exported every second from T0 + 1 s to T0 + 20 s and a last time on shutdown
        // 0.25 s later (the last tick's 10); the app restarts at T0 + 21 s in the same series, exports
        // every second from T0 + 22 s to T0 + 40 s, and stops the same way at T0 + 40.25 s.
        const runs = [
          { start: T0_MS, ticks: Array.from({ length: 20 }, (_, k) => T0_MS + (k + 1) * SECOND) },
          { start: T0_MS + 21 * SECOND, ticks: Array.from({ length: 19 }, (_, k) => T0_MS + (k + 22) * SECOND) },
        ].map((run) => ({ ...run, times: [...run.ticks, (run.ticks.at(-1) as number) + 250] }));
        store.insert([
          sum(
            "jobs",
            "delta-app",
            runs.flatMap((run) =>
              run.times.map((atMs, k) => ({
                atMs,
                startMs: k === 0 ? run.start : (run.times[k - 1] as number),
                value: 10,
              })),
            ),
            { temporality: "delta", monotonic: true },
          ),
          sum(
            "jobs",
            "cumulative-app",
            runs.flatMap((run) => run.times.map((atMs, k) => ({ atMs, startMs: run.start, value: 10 * (k + 1) }))),
            { temporality: "cumulative", monotonic: true },
          ),
        ]);
        const rounded = (values: readonly (number | null)[] | undefined) =>
          values?.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9));
        for (const app of ["delta-app", "cumulative-app"]) {
          const result = query(store, {
            name: "jobs",
            service: app,
            fromMs: T0_MS + 18 * SECOND,
            toMs: T0_MS + 43 * SECOND,
            stepMs: SECOND,
          });
          // The first stop's step reads 10/s as the second one's does, not 40/s: nothing faster in the window.
          expect(rounded(result.series[0]?.values)).toEqual([...new Array(23).fill(10), null, null]);
          expect(rounded(result.series[0]?.increases)?.reduce<number>((a, b) => a + (b ?? 0), 0)).toBe(230);
        }
        // Exports 20 ms early or late at the same 10/s, and a restart after an early one: read as they are.
        const times = Array.from({ length: 41 }, (_, k) => T0_MS + (k + 1) * SECOND + (k % 2 === 0 ? -20 : 20));
        store.insert([
          sum(
            "steady",
            "app",
            times.map((atMs, k) => {
              const startMs = k === 0 ? T0_MS : k === 21 ? T0_MS + 21.5 * SECOND : (times[k - 1] as number);
              return { atMs, startMs, value: (10 * (atMs - startMs)) / SECOND };
            }),
            { temporality: "delta", monotonic: true },
          ),
        ]);
        const steady = query(store, { name: "steady", fromMs: T0_MS, toMs: T0_MS + 45 * SECOND, stepMs: 500 });
        expect(new Set(rounded(steady.series[0]?.values)?.filter((v) => v !== null))).toEqual(new Set([10]));
        expect(steady.series[0]?.counted?.toUnixMs).toBe(times.at(-1));
      });

      it("reads each point once when two apps in one series flush and stop at the same times", async () => {
        const store = await fresh();
        // Two hosts of one service, each counting 10 a second from T0, exporting every second to T0 + 20 s
        // at the same instants, then on forceFlush 0.2 s later and on shutdown 0.25 s after the last export.
        const ticks = Array.from({ length: 20 }, (_, k) => T0_MS + (k + 1) * SECOND);
        const times = [...ticks, T0_MS + 20 * SECOND + 200, T0_MS + 20 * SECOND + 250];
        const delta = times.map((atMs, k) => ({
          atMs,
          startMs: k === 0 ? T0_MS : (times[k - 1] as number),
          value: 10,
        }));
        const cumulative = times.map((atMs, k) => ({ atMs, startMs: T0_MS, value: 10 * (k + 1) }));
        for (const host of ["a", "b"]) {
          const resource = { "service.name": "app", "host.name": host };
          store.insert([
            { ...sum("jobs", "delta-app", delta, { temporality: "delta", monotonic: true }), resource },
            { ...sum("jobs", "cumulative-app", cumulative, { temporality: "cumulative", monotonic: true }), resource },
          ]);
        }
        for (const app of ["delta-app", "cumulative-app"]) {
          const window = { fromMs: T0_MS, toMs: T0_MS + 30 * SECOND, stepMs: 30 * SECOND };
          const result = query(store, { name: "jobs", service: app, ...window });
          expect(result.series).toHaveLength(1);
          // 220 each: one host's flush is not also read in the other host's stop.
          expect(result.series[0]?.increases?.[0]).toBeCloseTo(440, 9);
        }
      });

      it("gives 42 / 60 per second for a cumulative counter that grew by 42 in a 60 s window", async () => {
        const store = await fresh();
        const start = T0_MS - 30 * SECOND;
        store.insert([
          sum("orders", "shop", [{ atMs: T0_MS, value: 8, startMs: start }], {
            temporality: "cumulative",
            monotonic: true,
          }),
          sum("orders", "shop", [{ atMs: T0_MS + MINUTE, value: 50, startMs: start }], {
            temporality: "cumulative",
            monotonic: true,
          }),
        ]);
        const result = query(store, { name: "orders", fromMs: T0_MS, toMs: T0_MS + MINUTE });
        expect(result.chart).toBe("rate");
        // The 8 counted before the window (since its start, 30 s earlier) stay out of it.
        expect(result.series.map((s) => s.values)).toEqual([[42 / 60]]);
        // In 10 s steps the increase is spread evenly over the minute it happened in.
        const fine = query(store, { name: "orders", fromMs: T0_MS, toMs: T0_MS + MINUTE, stepMs: 10 * SECOND });
        for (const v of fine.series[0]?.values ?? []) expect(v).toBeCloseTo(42 / 60);
      });

      it("says what a counter younger than the window counted over: from its start time to its newest point", async () => {
        const store = await fresh();
        const cumulative = { temporality: "cumulative", monotonic: true } as const;
        // Started 30 s into the window; its first point, 10 s later, holds what it counted since.
        const start = T0_MS + 30 * SECOND;
        store.insert([
          sum(
            "messages",
            "queue",
            [
              { atMs: T0_MS + 40 * SECOND, value: 5, startMs: start },
              { atMs: T0_MS + 50 * SECOND, value: 15, startMs: start },
              { atMs: T0_MS + 55 * SECOND, value: 23, startMs: start },
            ],
            cumulative,
          ),
        ]);
        const result = query(store, { name: "messages" });
        expect(result.series[0]?.increases).toEqual([23]);
        // 23 over the 25 s from its start, not over the minute, nor over the 15 s from its first point.
        expect(result.series[0]?.counted).toEqual({ fromUnixMs: start, toUnixMs: T0_MS + 55 * SECOND });
        // A window that starts after the counter did: from the window's start.
        const later = query(store, { name: "messages", fromMs: T0_MS + 45 * SECOND, toMs: T0_MS + 105 * SECOND });
        expect(later.series[0]?.counted).toEqual({ fromUnixMs: T0_MS + 45 * SECOND, toUnixMs: T0_MS + 55 * SECOND });
        // Beside a series of the same group that stopped before the window: still from the young one's start.
        store.insert([
          sum(
            "messages",
            "queue",
            [
              { atMs: T0_MS - 5 * MINUTE, value: 3, startMs: T0_MS - 10 * MINUTE, attributes: { queue: "old" } },
              { atMs: T0_MS - 4 * MINUTE, value: 9, startMs: T0_MS - 10 * MINUTE, attributes: { queue: "old" } },
            ],
            cumulative,
          ),
        ]);
        const all = query(store, { name: "messages", groupBy: "*" });
        expect(all.series.map((s) => [s.increases, s.counted])).toEqual([
          [[23], { fromUnixMs: start, toUnixMs: T0_MS + 55 * SECOND }],
        ]);
      });

      it("counts a counter that restarted from its first start, and one older than the window from the window's start", async () => {
        const store = await fresh();
        const cumulative = { temporality: "cumulative", monotonic: true } as const;
        store.insert([
          sum(
            "jobs",
            "worker",
            [
              { atMs: T0_MS + 20 * SECOND, value: 4, startMs: T0_MS + 10 * SECOND },
              { atMs: T0_MS + 30 * SECOND, value: 8, startMs: T0_MS + 10 * SECOND },
              // Restarted at 35 s: a new start time, counting from 0 again.
              { atMs: T0_MS + 40 * SECOND, value: 2, startMs: T0_MS + 35 * SECOND },
              { atMs: T0_MS + 50 * SECOND, value: 6, startMs: T0_MS + 35 * SECOND },
            ],
            cumulative,
          ),
          // Running since 10 minutes before the window, standing still after its first point.
          sum(
            "idle",
            "worker",
            [
              { atMs: T0_MS + 20 * SECOND, value: 7, startMs: T0_MS - 10 * MINUTE },
              { atMs: T0_MS + 50 * SECOND, value: 7, startMs: T0_MS - 10 * MINUTE },
            ],
            cumulative,
          ),
        ]);
        const jobs = query(store, { name: "jobs" });
        // 8 before the restart and 6 after, over the 40 s from the first start to the newest point,
        // the 5 s it was down included.
        expect(jobs.series[0]?.increases).toEqual([14]);
        expect(jobs.series[0]?.counted).toEqual({ fromUnixMs: T0_MS + 10 * SECOND, toUnixMs: T0_MS + 50 * SECOND });
        const idle = query(store, { name: "idle" });
        // Its first point's 7 is spread over the 10 min 20 s since its start: 20 s of it in the window.
        expect(idle.series[0]?.increases?.[0]).toBeCloseTo((7 * 20) / 620, 9);
        expect(idle.series[0]?.counted).toEqual({ fromUnixMs: T0_MS, toUnixMs: T0_MS + 50 * SECOND });
        // No increase in the window: nothing counted.
        expect(
          query(store, { name: "idle", fromMs: T0_MS + 2 * MINUTE, toMs: T0_MS + 3 * MINUTE }).series[0]?.counted,
        ).toBeUndefined();
      });

      it("keeps when a counter began counting after its first point is in a rollup", async () => {
        const store = await fresh();
        // Started a minute before its first point, then a point a second: the first is folded into a
        // 10 s rollup, which places what it counted inside its own interval.
        const start = T0_MS - MINUTE;
        const points = Array.from({ length: 200 }, (_, i) => ({
          atMs: T0_MS + i * SECOND,
          value: i + 1,
          startMs: start,
        }));
        store.insert([sum("orders", "shop", points, { temporality: "cumulative", monotonic: true })]);
        const result = query(store, { name: "orders", fromMs: T0_MS - 5 * MINUTE, toMs: T0_MS + 5 * MINUTE });
        const total = (result.series[0]?.increases ?? []).reduce((sum: number, v) => sum + (v ?? 0), 0);
        expect(total).toBeCloseTo(200, 6);
        expect(result.series[0]?.counted).toEqual({ fromUnixMs: start, toUnixMs: T0_MS + 199 * SECOND });
      });

      it("counts each instance's own growth when several instances of a service write one cumulative counter", async () => {
        const store = await fresh();
        const cumulative = { temporality: "cumulative", monotonic: true } as const;
        // Two workers (resources differing in their instance), started at other times, exporting in turn.
        const worker = (instance: string, startMs: number, values: number[], offsetMs: number) => ({
          ...sum(
            "jobs",
            "queue",
            values.map((value, k) => ({ atMs: T0_MS + k * 10 * SECOND + offsetMs, value, startMs })),
            cumulative,
          ),
          resource: { "service.name": "queue", "service.instance.id": instance },
        });
        const a = worker("a", T0_MS - 10 * MINUTE, [100, 106, 112, 118, 124, 130], 0);
        const b = worker("b", T0_MS - 20 * MINUTE, [900, 906, 912, 918, 924, 930], 0);
        // One export at a time, a's and b's in turn.
        for (let k = 0; k < 6; k++) {
          store.insert([{ ...a, data: { kind: "sum", points: [a.data.points[k] as never] } }]);
          store.insert([{ ...b, data: { kind: "sum", points: [b.data.points[k] as never] } }]);
        }
        // Within the 50 s from the first exports to the last, each grew by 30: 60 in all (what came
        // before stays out), per second of the 50 s the exports cover.
        const result = query(store, { name: "jobs", fromMs: T0_MS, toMs: T0_MS + MINUTE });
        expect(result.series).toHaveLength(1);
        expect((result.series[0]?.values[0] ?? 0) * 50).toBeCloseTo(60, 6);
      });

      it("adds delta increments, and a TraceKit counter's instant increments, per step", async () => {
        const store = await fresh();
        const increments = Array.from({ length: 42 }, (_, i) => ({ atMs: T0_MS + i * SECOND, value: 1 }));
        store.insert([sum("clicks", "web", increments, { temporality: "delta", monotonic: true, tracekit: true })]);
        const result = query(store, { name: "clicks", stepMs: 30 * SECOND });
        expect(result.series[0]?.values).toEqual([30 / 30, 12 / 30]);
        // The value view is the running total at the end of each step.
        expect(query(store, { name: "clicks", stepMs: 30 * SECOND, chart: "value" }).series[0]?.values).toEqual([
          30, 42,
        ]);
      });

      it("holds a TraceKit counter's running total between its increments, and through a window without one", async () => {
        const store = await fresh();
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        const increments = [
          { atMs: T0_MS + 5 * SECOND, value: 3 },
          { atMs: T0_MS + 35 * SECOND, value: 2 },
        ];
        store.insert([sum("orders", "shop", increments, tracekit)]);
        const totals = (fromMs: number) =>
          query(store, { name: "orders", fromMs, toMs: fromMs + MINUTE, stepMs: 10 * SECOND, chart: "value" }).series[0]
            ?.values;
        // The SDK sends a point per increment and none while the counter stands still.
        expect(totals(T0_MS)).toEqual([3, 3, 3, 5, 5, 5]);
        expect(totals(T0_MS - 20 * SECOND)).toEqual([null, null, 3, 3, 3, 5]);
        expect(totals(T0_MS + 2 * MINUTE)).toEqual([5, 5, 5, 5, 5, 5]);
      });

      it("averages a TraceKit counter's burst over the time since its step, not over the burst's half second", async () => {
        const store = await fresh();
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        // 10 requests within half a second, 20 s into the window, and none since.
        const burst = Array.from({ length: 10 }, (_, i) => ({ atMs: T0_MS + 20 * SECOND + i * 50, value: 1 }));
        store.insert([sum("requests", "burst", burst, tracekit)]);
        const young = query(store, { name: "requests", stepMs: 10 * SECOND });
        // None since: 0 in each step after the burst's (a TraceKit counter sends nothing while it stands still).
        expect(young.series[0]?.increases).toEqual([null, null, 10, 0, 0, 0]);
        // From the start of the burst's step to the window's end: 10 / 40 s, not 10 / 0.45 s.
        expect(young.series[0]?.counted).toEqual({ fromUnixMs: T0_MS + 20 * SECOND, toUnixMs: T0_MS + MINUTE });
        const average = averageRate(10, young.series, { fromUnixMs: T0_MS, toUnixMs: T0_MS + MINUTE, stepMs: 10_000 });
        expect(average).toBeCloseTo(0.25, 9);
        const peak = Math.max(...(young.series[0]?.values ?? []).map((v) => v ?? 0));
        expect(peak).toBe(1);
        expect(average).toBeLessThanOrEqual(peak);
        // A counter that was counting before the window: the whole window (10 requests in 15 min = 10 / 900 s).
        store.insert([sum("requests", "burst", [{ atMs: T0_MS - 20 * MINUTE, value: 1 }], tracekit)]);
        const fifteen = query(store, { name: "requests", fromMs: T0_MS + MINUTE - 15 * MINUTE, toMs: T0_MS + MINUTE });
        expect(fifteen.series[0]?.counted).toEqual({ fromUnixMs: T0_MS - 14 * MINUTE, toUnixMs: T0_MS + MINUTE });
        // Once the burst is rolled up (its entry's interval runs from the first request to the last) the same.
        const more = Array.from({ length: 2 * (TIERS[0]?.capacity ?? 64) }, (_, i) => ({
          atMs: T0_MS + 2 * MINUTE + i,
          value: 1,
        }));
        store.insert([sum("requests", "burst", more, tracekit)]);
        const rolled = query(store, { name: "requests", stepMs: 10 * SECOND });
        expect(rolled.series[0]?.increases?.reduce((a: number, v) => a + (v ?? 0), 0)).toBeCloseTo(10, 9);
        expect(rolled.series[0]?.counted).toEqual({ fromUnixMs: T0_MS, toUnixMs: T0_MS + MINUTE });
      });

      it("reads a TraceKit counter's quiet steps in its life as 0/s, and an OpenTelemetry delta counter's gap as no data", async () => {
        const store = await fresh();
        // An increment at 25 s and one at 45 s: nothing before the first, nothing between them.
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        const increments = [25, 45].map((second) => ({ atMs: T0_MS + second * SECOND, value: 1 }));
        store.insert([sum("requests", "shop", increments, tracekit)]);
        const answer = query(store, { name: "requests", stepMs: 10 * SECOND });
        const series = answer.series[0];
        expect(series?.values).toEqual([null, null, 0.1, 0, 0.1, 0]);
        expect(series?.increases).toEqual([null, null, 1, 0, 1, 0]);
        // The steps' least and latest rate and the average agree: 2 increments over the 40 s since the first's step.
        const average = averageRate(2, answer.series, { fromUnixMs: T0_MS, toUnixMs: T0_MS + MINUTE, stepMs: 10_000 });
        expect(average).toBeCloseTo(0.05, 9);
        const rates = (series?.values ?? []).filter((v) => v !== null);
        expect(Math.min(...rates)).toBeLessThanOrEqual(average);
        expect(Math.max(...rates)).toBeGreaterThanOrEqual(average);
        // An OpenTelemetry delta counter with nothing after its points (nothing says its app was alive
        // meanwhile, see the next test): a step with no point is no data.
        const delta = { temporality: "delta", monotonic: true } as const;
        const exports = [10, 40].map((second) => ({
          atMs: T0_MS + second * SECOND,
          startMs: T0_MS + (second - 5) * SECOND,
          value: 1,
        }));
        store.insert([sum("orders", "shop", exports, delta)]);
        expect(query(store, { name: "orders", stepMs: 10 * SECOND }).series[0]?.values).toEqual([
          0.2,
          null,
          null,
          0.2,
          null,
          null,
        ]);
      });

      it("reads a TraceKit counter's steps as 0 in a window it has no point in, from an increment before it on", async () => {
        const store = await fresh();
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        // One increment 30 s before the window and one 90 s into it, past its end: it stood still between.
        const increments = [-30, 90].map((second) => ({ atMs: T0_MS + second * SECOND, value: 1 }));
        store.insert([sum("requests", "shop", increments, tracekit)]);
        const quiet = query(store, { name: "requests", stepMs: 10 * SECOND }).series[0];
        expect(quiet?.values).toEqual([0, 0, 0, 0, 0, 0]);
        expect(quiet?.increases).toEqual([0, 0, 0, 0, 0, 0]);
        // Its first increment after the window's end: nothing is known of the window, no data.
        store.insert([sum("jobs", "shop", [{ atMs: T0_MS + 90 * SECOND, value: 1 }], tracekit)]);
        expect(query(store, { name: "jobs", stepMs: 10 * SECOND }).series[0]?.values).toEqual(Array(6).fill(null));
      });

      it("reads a step without a point as no data in a group that mixes a TraceKit and an OpenTelemetry series", async () => {
        const store = await fresh();
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        const delta = { temporality: "delta", monotonic: true } as const;
        const attributes = { "http.route": "/a" };
        store.insert([sum("requests", "web", [{ atMs: T0_MS + 5 * SECOND, value: 1, attributes }], tracekit)]);
        const exported = { atMs: T0_MS + 40 * SECOND, startMs: T0_MS + 30 * SECOND, value: 10, attributes };
        store.insert([sum("requests", "api", [exported], delta)]);
        // In one group (all series, or both of one route): the OpenTelemetry series' steps without its
        // point are unknown, not 0.
        for (const groupBy of ["*", "http.route"]) {
          const answer = query(store, { name: "requests", stepMs: 10 * SECOND, groupBy });
          expect(answer.series.map((one) => one.values)).toEqual([[0.1, null, null, 1, null, null]]);
        }
        // The TraceKit series alone still reads 0 where it stood still.
        const web = query(store, { name: "requests", stepMs: 10 * SECOND, service: "web" }).series[0];
        expect(web?.values).toEqual([0.1, 0, 0, 0, 0, 0]);
        // An OpenTelemetry series that stopped before the window takes none of those zeros.
        const earlier = { atMs: T0_MS - 50 * SECOND, startMs: T0_MS - 60 * SECOND, value: 3, attributes };
        store.insert([sum("jobs", "api", [earlier], delta)]);
        store.insert([sum("jobs", "web", [{ atMs: T0_MS + 5 * SECOND, value: 1, attributes }], tracekit)]);
        const jobs = query(store, { name: "jobs", stepMs: 10 * SECOND, groupBy: "*" });
        expect(jobs.series.map((one) => one.values)).toEqual([[0.1, 0, 0, 0, 0, 0]]);
      });

      it("reads an OpenTelemetry delta counter as 0/s after its last point while its app went on exporting", async () => {
        const store = await fresh();
        const delta = { temporality: "delta", monotonic: true } as const;
        const orders = { "service.name": "orders", "service.instance.id": "a" };
        // 10 requests in each of two 10 s exports, then none: an OpenTelemetry SDK sends no delta point
        // for a counter that recorded nothing, while the same app exports its gauge until 50 s.
        const requests = [10, 20].map((second) => ({
          atMs: T0_MS + second * SECOND,
          startMs: T0_MS + (second - 10) * SECOND,
          value: 10,
        }));
        const heap = [10, 20, 30, 40, 50].map((second) => ({ atMs: T0_MS + second * SECOND, value: 1 }));
        store.insert([
          { ...sum("requests", "orders", requests, delta), resource: orders },
          { ...gauge("heap", "orders", heap), resource: orders },
        ]);
        const answer = query(store, { name: "requests", stepMs: 10 * SECOND });
        expect(answer.series[0]?.values).toEqual([1, 1, 0, 0, 0, null]);
        expect(answer.series[0]?.increases).toEqual([10, 10, 0, 0, 0, null]);
        expect(answer.series[0]?.counted).toEqual({ fromUnixMs: T0_MS, toUnixMs: T0_MS + 50 * SECOND });
        // 20 over the 50 s it was counted, not over the 20 s to its last point (1/s).
        const window = { fromUnixMs: T0_MS, toUnixMs: T0_MS + MINUTE, stepMs: 10_000 };
        expect(averageRate(20, answer.series, window)).toBeCloseTo(0.4, 9);
        // A window after its last point: 0 wherever the app exported, not no data.
        const later = query(store, { name: "requests", fromMs: T0_MS + 30 * SECOND, stepMs: 10 * SECOND });
        expect(later.series[0]?.values).toEqual([0, 0, null]);
        // An app that went quiet altogether (nothing since), or another instance still exporting: unknown.
        const other = { "service.name": "orders", "service.instance.id": "b" };
        store.insert([
          { ...sum("jobs", "orders", requests, delta), resource: other },
          { ...gauge("heap", "orders", heap), resource: orders },
        ]);
        expect(query(store, { name: "jobs", stepMs: 10 * SECOND }).series[0]?.values).toEqual([
          1,
          1,
          null,
          null,
          null,
          null,
        ]);
        // A cumulative counter keeps sending its total, and is read as before.
        const totals = [10, 20].map((second) => ({ atMs: T0_MS + second * SECOND, startMs: T0_MS, value: second }));
        const cumulative = { temporality: "cumulative", monotonic: true } as const;
        store.insert([{ ...sum("sent", "orders", totals, cumulative), resource: orders }]);
        expect(query(store, { name: "sent", stepMs: 10 * SECOND }).series[0]?.values).toEqual([
          1,
          1,
          null,
          null,
          null,
          null,
        ]);
      });

      it("charts a TraceKit counter's burst at the same rate once its points are rolled up", async () => {
        const store = await fresh();
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        // 10 requests within half a second, 20 s into the window, and 3 more over 30 s later on.
        const burst = Array.from({ length: 10 }, (_, i) => ({ atMs: T0_MS + 20 * SECOND + i * 50, value: 1 }));
        const later = [32, 41, 55].map((second) => ({ atMs: T0_MS + second * SECOND, value: 1 }));
        store.insert([sum("requests", "burst", [...burst, ...later], tracekit)]);
        const chart = () => {
          const result = query(store, { name: "requests", stepMs: 10 * SECOND });
          return { values: result.series[0]?.values, counted: result.series[0]?.counted };
        };
        const raw = chart();
        // Each step's increments per second of the step: the burst's 10 in its 10 s step is 1/s.
        expect(raw.values).toEqual([null, null, 1, 0.1, 0.1, 0.1]);
        // In steps shorter than the burst: 5 of its requests in each of the first two quarter seconds.
        const fineChart = () =>
          query(store, { name: "requests", fromMs: T0_MS + 20 * SECOND, toMs: T0_MS + 21 * SECOND, stepMs: 250 });
        const rawFine = fineChart().series[0]?.values;
        expect(rawFine).toEqual([20, 20, 0, 0]);
        // More points than the raw tier holds, after the window: the burst and the rest are rolled up.
        const more = Array.from({ length: 2 * (TIERS[0]?.capacity ?? 64) }, (_, i) => ({
          atMs: T0_MS + 2 * MINUTE + i,
          value: 1,
        }));
        store.insert([sum("requests", "burst", more, tracekit)]);
        // Not 10 / 0.45 s: the rollup's interval runs only from the burst's first request to its last.
        const rolled = chart();
        expect(rolled.values?.map((v) => (v === null ? null : Number(v.toFixed(9))))).toEqual(raw.values);
        expect(rolled.counted).toEqual(raw.counted);
        // A rollup's increments in several steps: each step its share, per second of the step.
        const fine = fineChart();
        expect(fine.series[0]?.increases?.reduce((a: number, v) => a + (v ?? 0), 0)).toBeCloseTo(10, 9);
        const perSecond = (fine.series[0]?.increases ?? []).map((v) => (v === null ? null : v / 0.25));
        expect(fine.series[0]?.values).toEqual(perSecond);
        // The rollup keeps the burst's first and last instants and how many requests it holds: read as that
        // many evenly apart, as these were, its quarter seconds read as the raw points did (not 22.2/s and
        // 17.8/s, its requests spread evenly over the 0.45 s from the first to the last).
        expect(fine.series[0]?.values?.map((v) => (v === null ? null : Number(v.toFixed(9))))).toEqual(rawFine);
      });

      it("keeps an increase in the step it happened in once its points are rolled up", async () => {
        const store = await fresh();
        // A counter exported every 5 s that grew by 100 between 55 s and 60 s, and by nothing else.
        const cumulative = { temporality: "cumulative", monotonic: true } as const;
        const points = Array.from({ length: 120 }, (_, i) => {
          const atSecond = 5 + 5 * i;
          return { atMs: T0_MS + atSecond * SECOND, value: atSecond >= 60 ? 100 : 0, startMs: T0_MS };
        });
        const steps = () =>
          query(store, { name: "burst", fromMs: T0_MS + 40 * SECOND, toMs: T0_MS + 80 * SECOND, stepMs: 10 * SECOND })
            .series[0]?.values;
        store.insert([sum("burst", "svc", points.slice(0, 60), cumulative)]);
        expect(steps()).toEqual([0, 10, 0, 0]);
        // As many points again: the first ones are folded into 10 s rollups, the answer stays.
        store.insert([sum("burst", "svc", points.slice(60), cumulative)]);
        expect(steps()).toEqual([0, 10, 0, 0]);
      });

      it("spreads a counter's first increase over its start..time once it is in the rollups, as the raw points do", async () => {
        // An app that started 20 minutes before its first export and counts 2 every 10 s: its first
        // point holds 240 counted over those 20 minutes; then 149 more points, so the first is folded
        // into a 10 s rollup (and what it counted before into the rollups of that time).
        const store = await fresh();
        const first = T0_MS + 20 * MINUTE;
        const times = Array.from({ length: 150 }, (_, i) => first + i * 10 * SECOND);
        store.insert([
          sum(
            "cumulative",
            "svc",
            times.map((atMs, i) => ({ atMs, value: 240 + 2 * i, startMs: T0_MS })),
            { temporality: "cumulative", monotonic: true },
          ),
          sum(
            "delta",
            "svc",
            times.map((atMs, i) => ({ atMs, value: i === 0 ? 240 : 2, startMs: i === 0 ? T0_MS : atMs - 10 * SECOND })),
            { temporality: "delta", monotonic: true },
          ),
        ]);
        for (const name of ["cumulative", "delta"]) {
          const result = query(store, { name, fromMs: T0_MS, toMs: T0_MS + 45 * MINUTE });
          const increases = result.series[0]?.increases ?? [];
          // 12 a minute from the app's start, not 240 in the minute of the first point; the last
          // minute holds the points' 50 s of it.
          for (let m = 0; m < 44; m++) expect(increases[m], `${name}, minute ${m}`).toBeCloseTo(12, 6);
          expect(increases[44]).toBeCloseTo(10, 6);
          expect(result.series[0]?.counted?.fromUnixMs).toBe(T0_MS);
          // Steps of 10 s over the rollups of the first point's minutes: 2 in each.
          const fine = query(store, { name, fromMs: first - MINUTE, toMs: first + MINUTE, stepMs: 10 * SECOND });
          for (const v of fine.series[0]?.increases ?? []) expect(v).toBeCloseTo(2, 6);
        }
      });

      it("keeps every increase through the rollups of a long-running series", async () => {
        const store = await fresh();
        // 6 hours of a counter exported every 10 s, +1 per export: far more points than raw storage holds.
        const points = Array.from({ length: 6 * 360 }, (_, i) => ({
          atMs: T0_MS + i * 10 * SECOND,
          value: i + 1,
          startMs: T0_MS - 10 * SECOND,
        }));
        for (let i = 0; i < points.length; i += 100) {
          store.insert([sum("ticks", "svc", points.slice(i, i + 100), { temporality: "cumulative", monotonic: true })]);
        }
        const hour = 60 * MINUTE;
        const hourly = query(store, { name: "ticks", fromMs: T0_MS - hour, toMs: T0_MS + 7 * hour, stepMs: hour });
        const values = hourly.series[0]?.values ?? [];
        // +1 per 10 s in every hour, the first (which holds only the first point's 10 s) and the last
        // (which the points reach 10 s before its end) too: none of it is lost in the rollups.
        expect(values.slice(0, 7).map((v) => Math.round((v ?? 0) * 1e9) / 1e9)).toEqual(new Array(7).fill(0.1));
        expect(values[7]).toBeNull();
        const total = (hourly.series[0]?.increases ?? []).reduce((sum: number, v) => sum + (v ?? 0), 0);
        expect(total).toBeCloseTo(points.length, 6);
        expect(store.stats()).toMatchObject({ series: 1, points: points.length });
      });
    });

    describe("values", () => {
      /** Two replicas of one service (resources differing only in their instance) writing one series, in turn. */
      function replicas(metric: (instance: string, k: number) => ReceivedMetric, count: number): ReceivedMetric[][] {
        return Array.from({ length: count }, (_, k) =>
          ["a", "b"].map((instance) => ({
            ...metric(instance, k + 1),
            resource: { "service.name": "api", "service.instance.id": instance },
          })),
        );
      }
      const steps10s = { fromMs: T0_MS + 10 * SECOND, toMs: T0_MS + 70 * SECOND, stepMs: 10 * SECOND };

      it("adds up the latest cumulative value of each source of one sum series", async () => {
        const store = await fresh();
        for (const monotonic of [false, true]) {
          const name = monotonic ? "handled" : "connections";
          // a = 100·k at T0 + 10k s, b = 1000 + 10·k half a second later.
          const exports = replicas(
            (instance, k) =>
              sum(
                name,
                "api",
                [
                  instance === "a"
                    ? { atMs: T0_MS + k * 10 * SECOND, value: 100 * k, startMs: T0_MS - SECOND }
                    : { atMs: T0_MS + k * 10 * SECOND + 500, value: 1000 + 10 * k, startMs: T0_MS - 2 * SECOND },
                ],
                { temporality: "cumulative", monotonic },
              ),
            6,
          );
          for (const one of exports) for (const metric of one) store.insert([metric]);
          const result = query(store, { name, ...steps10s, chart: "value" });
          expect(result.series.map((x) => x.values)).toEqual([[1110, 1220, 1330, 1440, 1550, 1660]]);
        }
      });

      it("averages the latest value of each source of one gauge series, and leaves out a source silent for 5 minutes", async () => {
        const store = await fresh();
        // a holds 10, b 30 (5 s after a): each point taken as the series' value zig-zagged between them.
        const exports = replicas(
          (instance, k) =>
            gauge("pool.used", "api", [
              instance === "a"
                ? { atMs: T0_MS + k * 10 * SECOND, value: 10 }
                : { atMs: T0_MS + k * 10 * SECOND + 5 * SECOND, value: 30 },
            ]),
          6,
        );
        for (const one of exports) for (const metric of one) store.insert([metric]);
        const fine = query(store, { name: "pool.used", ...steps10s, stepMs: 5 * SECOND });
        expect(fine.series[0]?.values).toEqual([10, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]);
        // Each step's band holds what the sources themselves held.
        const steps = query(store, { name: "pool.used", ...steps10s });
        expect(steps.series[0]).toMatchObject({ values: [20, 20, 20, 20, 20, 20], min: [10, 10, 10, 10, 10, 10] });
        expect(steps.series[0]?.max).toEqual([30, 30, 30, 30, 30, 30]);
        // b stops; 5 minutes later a's value alone is the series'.
        store.insert([
          {
            ...gauge("pool.used", "api", [{ atMs: T0_MS + 7 * MINUTE, value: 12 }]),
            resource: { "service.name": "api", "service.instance.id": "a" },
          },
        ]);
        const later = query(store, { name: "pool.used", fromMs: T0_MS + 7 * MINUTE, toMs: T0_MS + 8 * MINUTE });
        expect(later.series[0]?.values).toEqual([12]);
      });

      it("takes a restarted app's up-down count alone, not added to the process it replaced, in either order", async () => {
        // The same resource but the process id: the app ran from T0 and stopped after its export at
        // T0 + 30 s; started again at T0 + 40 s, it exports from T0 + 50 s on.
        const run = (pid: string, startMs: number, atMs: number[], value: number) =>
          [
            sum("inflight", "api", [...atMs.map((at) => ({ atMs: at, value: value / 2, startMs }))], {
              temporality: "cumulative",
              monotonic: false,
            }),
            // A gauge's start means nothing in OTLP (an SDK may stamp its last export there): its
            // sources are averaged until the old one is stale, whatever its start says.
            gauge("queue.depth", "api", [...atMs.map((at) => ({ atMs: at, value, startMs }))]),
          ].map((metric) => ({ ...metric, resource: { "service.name": "api", "process.pid": pid } }));
        const before = run("100", T0_MS, [T0_MS + 10 * SECOND, T0_MS + 20 * SECOND, T0_MS + 30 * SECOND], 42);
        const after = run("200", T0_MS + 40 * SECOND, [T0_MS + 50 * SECOND, T0_MS + 60 * SECOND], 10);
        const range = { fromMs: T0_MS + 10 * SECOND, toMs: T0_MS + 70 * SECOND, stepMs: 10 * SECOND };
        // Sent in order, or the new process's points first (an import of two files, a late flush).
        for (const order of [
          [before, after],
          [after, before],
        ]) {
          const store = await fresh();
          for (const metrics of order) store.insert(metrics);
          const inflight = query(store, { name: "inflight", ...range, chart: "value" });
          expect(inflight.series.map((x) => x.values)).toEqual([[21, 21, 21, null, 5, 5]]);
          if (order[0] === before) {
            const depth = query(store, { name: "queue.depth", ...range, chart: "value" });
            expect(depth.series[0]?.values.slice(4)).toEqual([26, 26]);
          }
        }
      });

      it("takes each series' last value per step; a group adds up sums and averages gauges", async () => {
        const store = await fresh();
        store.insert([
          gauge("temp", "api", [
            { atMs: T0_MS + 1 * SECOND, value: 10, attributes: { room: "a", sensor: "1" } },
            { atMs: T0_MS + 2 * SECOND, value: 20, attributes: { room: "a", sensor: "1" } },
            { atMs: T0_MS + 3 * SECOND, value: 40, attributes: { room: "a", sensor: "2" } },
          ]),
          sum(
            "active",
            "api",
            [
              { atMs: T0_MS + SECOND, value: 3, attributes: { route: "/a" }, startMs: T0_MS },
              { atMs: T0_MS + SECOND, value: 4, attributes: { route: "/b" }, startMs: T0_MS },
            ],
            { temporality: "cumulative", monotonic: false },
          ),
        ]);
        expect(query(store, { name: "temp" }).series.map((s) => [s.label, s.values])).toEqual([
          ["room=a, sensor=1", [20]],
          ["room=a, sensor=2", [40]],
        ]);
        expect(query(store, { name: "temp", groupBy: "room" }).series).toEqual([
          // The average of each sensor's last value, and the least and greatest value any of them held.
          { label: "a", attributes: { room: "a" }, values: [30], min: [10], max: [40] },
        ]);
        const active = query(store, { name: "active", groupBy: "service.name" });
        expect(active.chart).toBe("value");
        expect(active.series).toEqual([{ label: "api", attributes: { "service.name": "api" }, values: [7] }]);
      });

      it("puts each point in its own series whatever order and senders the exports come in", async () => {
        const store = await fresh();
        const point = (atMs: number, value: number, attributes: Record<string, string>) => ({
          atMs,
          value,
          attributes,
        });
        const a = { host: "a", pool: "heap" };
        const b = { host: "b", pool: "heap" };
        const c = { host: "c", pool: "heap" };
        // One exporter sends a, b, c; then c, b, a; another service sends the same attribute sets in between.
        store.insert([gauge("mem", "api", [point(T0_MS, 1, a), point(T0_MS, 2, b), point(T0_MS, 3, c)])]);
        store.insert([gauge("mem", "worker", [point(T0_MS, 10, a), point(T0_MS, 20, b), point(T0_MS, 30, c)])]);
        store.insert([
          gauge("mem", "api", [point(T0_MS + SECOND, 6, c), point(T0_MS + SECOND, 5, b), point(T0_MS + SECOND, 4, a)]),
        ]);
        store.insert([gauge("mem", "api", [point(T0_MS + 2 * SECOND, 7, a), point(T0_MS + 2 * SECOND, 9, c)])]);
        expect(store.stats().series).toBe(6);
        const values = (service: string) =>
          query(store, { name: "mem", service }).series.map((s) => [s.label, s.values]);
        expect(values("api")).toEqual([
          ["host=a, pool=heap", [7]],
          ["host=b, pool=heap", [5]],
          ["host=c, pool=heap", [9]],
        ]);
        expect(values("worker")).toEqual([
          ["host=a, pool=heap", [10]],
          ["host=b, pool=heap", [20]],
          ["host=c, pool=heap", [30]],
        ]);
      });

      it("filters by service and by attribute values, and leaves steps without points empty", async () => {
        const store = await fresh();
        store.insert([
          gauge("mem", "api", [{ atMs: T0_MS, value: 1, attributes: { pool: "heap", n: 1 } }]),
          gauge("mem", "worker", [{ atMs: T0_MS + 90 * SECOND, value: 2, attributes: { pool: "heap", n: 2 } }]),
        ]);
        const both = query(store, { name: "mem", toMs: T0_MS + 2 * MINUTE });
        expect(both.times).toEqual([T0_MS, T0_MS + MINUTE]);
        // Series of several services say which one they are.
        expect(both.series.map((s) => [s.label, s.values])).toEqual([
          ["n=1, pool=heap, service.name=api", [1, null]],
          ["n=2, pool=heap, service.name=worker", [null, 2]],
        ]);
        const where = (w: [string, string][], extra: Partial<MetricQuery> = {}) =>
          query(store, { name: "mem", toMs: T0_MS + 2 * MINUTE, where: w, ...extra }).series.map((s) => s.label);
        expect(where([["n", "2"]])).toEqual(["n=2, pool=heap"]);
        expect(where([["service.name", "api"]])).toEqual(["n=1, pool=heap"]);
        expect(where([["pool", "heap"]], { service: "worker" })).toEqual(["n=2, pool=heap"]);
        expect(where([["pool", "stack"]])).toEqual([]);
      });
    });

    it("gives a step inside a rollup wider than the steps the rollup's value, a gauge's band and a summary's quantiles", async () => {
      // A gauge and a summary exported every second for 5 minutes, each point's value its second: the
      // last 64 points stay raw, the older ones are in 10 s rollups, wider than 5 s steps.
      const store = await fresh();
      const seconds = Array.from({ length: 300 }, (_, i) => i);
      store.insert([
        gauge(
          "queue.depth",
          "api",
          seconds.map((i) => ({ atMs: T0_MS + i * SECOND, value: i })),
        ),
        summary(
          "rpc",
          "api",
          seconds.map((i) => ({ atMs: T0_MS + i * SECOND, count: 1, sum: i, quantiles: [[0.5, i]] })),
        ),
      ]);
      const window = { fromMs: T0_MS, toMs: T0_MS + 5 * MINUTE, stepMs: 5 * SECOND };
      // The newest rollup holds the points before the oldest raw one, from its interval's start on.
      const firstRaw = 300 - (TIERS[0]?.capacity ?? 64);
      const newestRollup = Math.floor(firstRaw / 10) * 10;
      const depth = query(store, { name: "queue.depth", ...window }).series[0];
      for (let step = 0; step < 60; step++) {
        // A rollup's last value stands for each of its steps; the raw points' steps keep their own.
        const end = (step + 1) * 5;
        const expected = end <= newestRollup ? Math.floor(step / 2) * 10 + 9 : end <= firstRaw ? firstRaw - 1 : end - 1;
        expect(depth?.values[step], `step ${step}`).toBe(expected);
      }
      // Its band is the rollup's least and greatest value, in each of its steps.
      expect(depth?.min?.slice(0, 4)).toEqual([0, 0, 10, 10]);
      expect(depth?.max?.slice(0, 4)).toEqual([9, 9, 19, 19]);
      const rpc = query(store, { name: "rpc", ...window }).series[0];
      expect(rpc?.quantiles?.["0.5"]?.slice(0, 4)).toEqual([9, 9, 19, 19]);
      expect(rpc?.quantiles?.["0.5"]?.every((v) => v !== null)).toBe(true);
      expect(rpc?.values.every((v) => v !== null)).toBe(true);
    });

    describe("a window over young data", () => {
      // A 15-minute window in 10 s steps, ending at END.
      const END = T0_MS + 15 * MINUTE;
      const window = { fromMs: T0_MS, toMs: END, stepMs: 10 * SECOND };

      it("starts at the step before the oldest point, on the window's grid, when asked to", async () => {
        const store = await fresh();
        const agos = [180, 120, 60, 30];
        const points = agos.map((ago) => ({ atMs: END - ago * SECOND + 1, value: ago, attributes: {} }));
        store.insert([gauge("young", "api", points)]);
        const whole = query(store, { name: "young", ...window });
        expect(whole.times).toHaveLength(90);
        expect(whole.startsAtData).toBeUndefined();
        const young = query(store, { name: "young", ...window, startAtData: true });
        expect(young.startsAtData).toBe(true);
        // The oldest point is in the step starting 180 s before the end: one step of lead before it.
        expect(young.fromMs).toBe(END - 190 * SECOND);
        expect(young.toMs).toBe(END);
        expect(young.times).toHaveLength(19);
        const byTime = new Map(young.times.map((t, i) => [t, young.series[0]?.values[i]]));
        for (const ago of agos) expect(byTime.get(END - ago * SECOND)).toBe(ago);
        expect(young.series[0]?.values[0]).toBeNull();
        expect(young.stepMs).toBe(whole.stepMs);
      });

      it("starts where a young counter's first increase began, and at a late but older point", async () => {
        const store = await fresh();
        // A delta counter first exported 60 s after it started counting: its 42 belong to that minute.
        store.insert([
          sum("young.counter", "api", [{ atMs: END - 3 * MINUTE, value: 42, startMs: END - 4 * MINUTE }], {
            temporality: "delta",
            monotonic: true,
          }),
        ]);
        const counter = query(store, { name: "young.counter", ...window, startAtData: true });
        expect(counter.fromMs).toBe(END - 4 * MINUTE - 10 * SECOND);
        const increase = (counter.series[0]?.values ?? []).reduce<number>((sum, v) => sum + (v ?? 0) * 10, 0);
        expect(increase).toBeCloseTo(42);
        // Points are kept as they arrive: one that arrives late but is older still opens the window.
        store.insert([gauge("late", "api", [{ atMs: END - 30 * SECOND, value: 1, attributes: {} }])]);
        store.insert([gauge("late", "api", [{ atMs: END - 200 * SECOND + 1, value: 2, attributes: {} }])]);
        expect(query(store, { name: "late", ...window, startAtData: true }).fromMs).toBe(END - 210 * SECOND);
      });

      it("starts where a young cumulative histogram's first point began, as a counter's", async () => {
        const store = await fresh();
        // The app started 60 s before tracekit-local heard its histogram: the first point's 42 values
        // were recorded over that minute, and a window cut at the point's time would leave them out.
        store.insert([
          histogram(
            "young.latency",
            "api",
            [{ atMs: END - 3 * MINUTE, startMs: END - 4 * MINUTE, counts: [30, 12, 0], bounds: [10, 100] }],
            "cumulative",
          ),
        ]);
        const young = query(store, { name: "young.latency", ...window, startAtData: true });
        expect(young.fromMs).toBe(END - 4 * MINUTE - 10 * SECOND);
        expect(young.firstPointMs).toBe(END - 4 * MINUTE);
        const values = (young.series[0]?.counts ?? []).reduce<number>((sum, c) => sum + (c ?? 0), 0);
        expect(values).toBeCloseTo(42);
      });

      it("keeps at least 12 steps, and the whole window once data is older than it", async () => {
        const store = await fresh();
        store.insert([gauge("newborn", "api", [{ atMs: END - 5 * SECOND, value: 1, attributes: {} }])]);
        const newborn = query(store, { name: "newborn", ...window, startAtData: true });
        expect(newborn.times).toHaveLength(12);
        expect(newborn.fromMs).toBe(END - 120 * SECOND);

        store.insert([
          gauge("old", "api", [
            { atMs: T0_MS - MINUTE, value: 1, attributes: {} },
            { atMs: END - 5 * SECOND, value: 2, attributes: {} },
          ]),
        ]);
        const old = query(store, { name: "old", ...window, startAtData: true });
        expect(old.fromMs).toBe(T0_MS);
        expect(old.startsAtData).toBeUndefined();
      });
    });

    describe("steps on the clock's grid", () => {
      // A 15-minute window ending at two moments inside one 10 s step: 2.3 s and 8.9 s into it.
      const GRID = T0_MS + 15 * MINUTE;
      const NOWS = [GRID + 2_300, GRID + 8_900] as const;
      const window = (now: number) => ({ fromMs: now - 15 * MINUTE, toMs: now, stepMs: 10 * SECOND, alignSteps: true });

      it("cuts a window ending at two moments inside one step alike: every ended step, a burst's too, reads the same", async () => {
        const store = await fresh();
        const tracekit = { temporality: "delta", monotonic: true, tracekit: true } as const;
        // 10 requests within half a second, 5 minutes before, 8.7 s to 9.15 s into a step of the clock's
        // (across the start of one cut from the second window's start); then 3 more.
        const burst = Array.from({ length: 10 }, (_, i) => ({ atMs: GRID - 5 * MINUTE + 8_700 + i * 50, value: 1 }));
        const later = [-3 * MINUTE + 1_000, -2 * MINUTE + 5_000, -MINUTE + 9_500].map((ms) => ({
          atMs: GRID + ms,
          value: 1,
        }));
        store.insert([sum("requests", "burst", [...burst, ...later], tracekit)]);
        const [first, second] = NOWS.map((now) => query(store, { name: "requests", ...window(now) }));
        if (first === undefined || second === undefined) throw new Error("two answers");
        // The burst's 10 in its 10 s step at both: 1/s, not 0.6/s in the step holding most of it.
        for (const answer of [first, second]) {
          const values = answer.series[0]?.values ?? [];
          expect(values[answer.times.indexOf(GRID - 5 * MINUTE)]).toBe(1);
          expect(Math.max(...values.map(Number))).toBe(1);
        }
        // The same steps, on multiples of the step, from the one holding the window's start to the one
        // holding its end, which stays the window's end.
        expect(second.times).toEqual(first.times);
        expect(first.fromMs).toBe(GRID - 15 * MINUTE);
        expect(first.times).toHaveLength(91);
        expect(first.toMs).toBe(NOWS[0]);
        expect(second.toMs).toBe(NOWS[1]);
        const ended = first.times.length - 1;
        expect(second.series[0]?.values.slice(0, ended)).toEqual(first.series[0]?.values.slice(0, ended));
        expect(second.series[0]?.increases?.slice(0, ended)).toEqual(first.series[0]?.increases?.slice(0, ended));
        // Counted from the burst's step to each window's end: now, not the end of the step holding it.
        expect(first.series[0]?.counted).toEqual({ fromUnixMs: GRID - 5 * MINUTE, toUnixMs: NOWS[0] });
        expect(second.series[0]?.counted).toEqual({ fromUnixMs: GRID - 5 * MINUTE, toUnixMs: NOWS[1] });
      });

      it("opens a window on young data at least 12 steps before its end, the step under way not counted", async () => {
        const store = await fresh();
        store.insert([gauge("newborn", "api", [{ atMs: NOWS[0] - 5 * SECOND, value: 1, attributes: {} }])]);
        const newborn = query(store, { name: "newborn", ...window(NOWS[0]), startAtData: true });
        expect(newborn.startsAtData).toBe(true);
        expect(newborn.fromMs).toBe(GRID - 120 * SECOND);
        expect(newborn.toMs - newborn.fromMs).toBeGreaterThanOrEqual(120 * SECOND);
        expect(newborn.times).toHaveLength(13);
      });

      it("reads each step the same before and after its points are rolled up, when the step is a multiple of the rollups", async () => {
        // A delta histogram exported every 5 s, each export one value more than the one before, in 1-minute
        // steps of a 5-minute window ending 2.3 s into a minute.
        const store = await fresh();
        const start = GRID - 20 * MINUTE;
        const exportAt = (i: number) => ({ atMs: start + i * 5 * SECOND, counts: [i + 1, 0, 0], bounds: [10, 100] });
        const now = start + 5 * MINUTE + 2_300;
        const steps = () =>
          query(store, { name: "latency", fromMs: now - 5 * MINUTE, toMs: now, stepMs: MINUTE, alignSteps: true })
            .series[0]?.counts;
        store.insert([
          histogram(
            "latency",
            "api",
            Array.from({ length: 60 }, (_, i) => exportAt(i)),
          ),
        ]);
        // Minute k holds exports 12k to 12k + 11.
        const raw = steps();
        expect(raw?.slice(0, 5)).toEqual([78, 222, 366, 510, 654]);
        // Four times as many after them: those of the window are now in rollups.
        store.insert([
          histogram(
            "latency",
            "api",
            Array.from({ length: 240 }, (_, i) => exportAt(60 + i)),
          ),
        ]);
        expect(steps()?.slice(0, 5)).toEqual(raw?.slice(0, 5));
      });
    });

    describe("steps for sparse points", () => {
      const END = T0_MS + 15 * MINUTE;
      const window = { fromMs: T0_MS, toMs: END, stepMs: 10 * SECOND };

      it("widens the step to the interval the points come at, so every step holds one", async () => {
        const store = await fresh();
        // An SDK on OpenTelemetry's default: one export a minute (a little jitter), for 20 minutes.
        const points = Array.from({ length: 21 }, (_, i) => ({
          atMs: END - (20 - i) * MINUTE + (i % 3) * 200,
          value: i,
          attributes: {},
        }));
        store.insert([gauge("every.minute", "api", points)]);
        const fine = query(store, { name: "every.minute", ...window });
        expect(fine.stepMs).toBe(10 * SECOND);
        expect(fine.series[0]?.values.filter((v) => v === null).length).toBeGreaterThan(60);
        const fitted = query(store, { name: "every.minute", ...window, stepFromData: true });
        expect(fitted.stepMs).toBe(MINUTE);
        expect(fitted.times).toHaveLength(15);
        expect(fitted.series[0]?.values.every((v) => v !== null)).toBe(true);
        // A window too short for that: at most an eighth of it.
        const short = query(store, {
          name: "every.minute",
          fromMs: END - 2 * MINUTE,
          toMs: END,
          stepMs: SECOND,
          stepFromData: true,
        });
        expect(short.stepMs).toBe(15 * SECOND);
      });

      it("keeps the window's step for points closer than it, and for too few to tell", async () => {
        const store = await fresh();
        const dense = Array.from({ length: 30 }, (_, i) => ({
          atMs: END - 30 * SECOND + i * SECOND,
          value: i,
          attributes: {},
        }));
        store.insert([gauge("every.second", "api", dense), gauge("twice", "api", dense.slice(0, 2))]);
        expect(query(store, { name: "every.second", ...window, stepFromData: true }).stepMs).toBe(10 * SECOND);
        expect(query(store, { name: "twice", ...window, stepFromData: true }).stepMs).toBe(10 * SECOND);
      });
    });

    describe("distributions", () => {
      it("says which percentiles fell in the open last bucket with no max: only lower bounds", async () => {
        const store = await fresh();
        const bounds = [1, 2, 5, 10];
        store.insert([
          histogram("slow", "api", [{ atMs: T0_MS + SECOND, counts: [0, 0, 0, 0, 10], bounds, sum: 150 }]),
          histogram("closed", "api", [{ atMs: T0_MS + SECOND, counts: [0, 0, 0, 0, 10], bounds, sum: 150, max: 20 }]),
          histogram("mixed", "api", [{ atMs: T0_MS + SECOND, counts: [0, 9, 0, 0, 1], bounds, sum: 30 }]),
        ]);
        const slow = query(store, { name: "slow" }).series[0];
        expect(slow).toMatchObject({ values: [15], p50: [10], p95: [10], p99: [10] });
        expect(slow?.atLeast).toEqual({ p50: [true], p95: [true], p99: [true] });
        // With a max the open bucket is closed: the percentiles are estimates like any other.
        expect(query(store, { name: "closed" }).series[0]?.atLeast).toBeUndefined();
        // Only the percentiles whose rank is past the closed buckets.
        expect(query(store, { name: "mixed" }).series[0]?.atLeast).toEqual({ p95: [true], p99: [true] });
      });

      it("knows no percentile of values in one bucket nothing bounds, and says so with null, not 0", async () => {
        const store = await fresh();
        const at = T0_MS + SECOND;
        store.insert([
          // No bounds: one bucket holds every value; with only a count and a sum nothing says where they lie.
          histogram("nobounds", "api", [{ atMs: at, counts: [10], bounds: [], sum: 55 }]),
          histogram("bounded", "api", [{ atMs: at, counts: [10], bounds: [], sum: 55, min: 1, max: 10 }]),
          // Below the first bound with neither a min nor a sum (which OTLP sends only without negative values).
          histogram("first", "api", [{ atMs: at, counts: [6, 4, 0], bounds: [10, 20] }]),
        ]);
        const none = query(store, { name: "nobounds" });
        expect(none.series[0]).toMatchObject({ values: [5.5], counts: [10], p50: [null], p95: [null], p99: [null] });
        expect(none.series[0]?.atLeast).toBeUndefined();
        expect(none.windowPercentiles).toEqual({ p50: null, p95: null, p99: null });
        // With min and max they are interpolated between them.
        expect(query(store, { name: "bounded" }).series[0]).toMatchObject({ p50: [5.5], p99: [9.91] });
        const first = query(store, { name: "first" });
        expect(first.series[0]).toMatchObject({ p50: [null], p95: [18.75] });
        expect(first.windowPercentiles).toMatchObject({ p50: null, p95: 18.75 });
      });

      it("estimates percentiles from histogram buckets per step, with the mean, count and a heatmap", async () => {
        const store = await fresh();
        const bounds = [10, 50, 100, 500];
        // 100 requests: 50 in (10, 50], 45 in (50, 100], 5 in (100, 500].
        store.insert([
          histogram("latency", "api", [{ atMs: T0_MS + SECOND, counts: [0, 50, 45, 5, 0], bounds, sum: 6000 }]),
        ]);
        const result = query(store, { name: "latency" });
        expect(result.chart).toBe("distribution");
        const s = result.series[0];
        expect(s?.counts).toEqual([100]);
        expect(s?.values).toEqual([60]);
        expect(s?.p50).toEqual([50]);
        expect(s?.p95).toEqual([100]);
        expect(s?.p99?.[0]).toBeCloseTo(100 + 400 * 0.8);
        expect(result.heatmap).toEqual({ bounds, counts: [[0, 50, 45, 5, 0]] });
      });

      it("adds up a group's histograms per step, and re-buckets other bounds for the heatmap", async () => {
        const store = await fresh();
        const a = { bounds: [10, 100], attributes: { route: "/a" } };
        store.insert([
          histogram("latency", "api", [
            {
              ...a,
              atMs: T0_MS + SECOND,
              counts: [1, 2, 1],
              sum: 150,
              min: 5,
              max: 200,
              attributes: { route: "/a", host: "1" },
            },
            {
              ...a,
              atMs: T0_MS + 2 * SECOND,
              counts: [0, 2, 0],
              sum: 100,
              min: 20,
              max: 80,
              attributes: { route: "/a", host: "1" },
            },
            // Neither min nor max: the group's are unknown, so the open last bucket ends at its bound.
            { ...a, atMs: T0_MS + 3 * SECOND, counts: [2, 0, 0], sum: 10, attributes: { route: "/a", host: "2" } },
            { atMs: T0_MS + 4 * SECOND, counts: [1, 1], bounds: [50], sum: 100, attributes: { route: "/c" } },
          ]),
        ]);
        const byRoute = query(store, { name: "latency", groupBy: "route" });
        expect(byRoute.series.map((s) => [s.label, s.counts, s.values, s.p50, s.p95])).toEqual([
          // 8 values: 3 in (-inf, 10], 4 in (10, 100], 1 above; the 4th is a quarter into (10, 100].
          ["/a", [8], [32.5], [32.5], [100]],
          // Its first bucket closed by 0; its overflow bucket by its bound.
          ["/c", [2], [50], [50], [50]],
        ]);
        // Both groups' p95 and p99 are in the open last bucket, which no max closes (host 2 of /a sent
        // none): only at least 100 and 50.
        const open = { p95: [true], p99: [true] };
        expect(byRoute.series.map((s) => s.atLeast)).toEqual([open, open]);
        // The heatmap is in the first group's bounds: /c's (-inf, 50] and (50, +inf) both land in (10, 100].
        expect(byRoute.heatmap).toEqual({ bounds: [10, 100], counts: [[3, 6, 1]] });
        expect(query(store, { name: "latency" }).heatmap).toEqual(byRoute.heatmap);
        const onlyA = query(store, { name: "latency", groupBy: "host", where: [["route", "/a"]] });
        expect(onlyA.series.map((s) => [s.label, s.counts])).toEqual([
          ["1", [6]],
          ["2", [2]],
        ]);
        expect(onlyA.heatmap).toEqual({ bounds: [10, 100], counts: [[3, 4, 1]] });
        // Every series in one group ("*"): one distribution, drawn with all three percentiles even
        // when a statistic is asked for (that is for charts of several groups).
        const together = query(store, { name: "latency", groupBy: "*", stat: "p95" });
        expect(together.stat).toBeUndefined();
        expect(together.series.map((s) => [s.label, s.counts, s.p50?.length, s.p95?.length, s.p99?.length])).toEqual([
          ["", [10], 1, 1, 1],
        ]);
        // One statistic per group, as a chart of several groups draws it: the rest of the answer unchanged.
        for (const stat of ["p50", "p95", "p99", "mean"] as const) {
          const one = query(store, { name: "latency", groupBy: "route", stat });
          expect(one.stat).toBe(stat);
          expect(one.heatmap).toEqual(byRoute.heatmap);
          one.series.forEach((s, i) => {
            const all = byRoute.series[i];
            expect(s).toEqual({
              label: all?.label,
              attributes: all?.attributes,
              values: all?.values,
              counts: all?.counts,
              ...(stat === "mean" ? {} : { [stat]: all?.[stat] }),
              ...(stat !== "mean" && all?.atLeast?.[stat] !== undefined
                ? { atLeast: { [stat]: all.atLeast[stat] } }
                : {}),
            });
          });
        }
        // One group draws every percentile: all of them, whatever the statistic.
        const alone = query(store, { name: "latency", where: [["route", "/c"]], stat: "p99" });
        expect(alone.stat).toBeUndefined();
        expect(alone.series.map((s) => [s.p50, s.p95, s.p99])).toEqual([[[50], [50], [50]]]);
      });

      it("reads TraceKit gauge points as samples: exact percentiles and the mean, or the last value", async () => {
        const store = await fresh();
        // 1 … 100 in the order a histogram records them (not one apart: see the level below).
        const samples = Array.from({ length: 100 }, (_, i) => ({ atMs: T0_MS + i * 100, value: ((i * 37) % 100) + 1 }));
        store.insert([gauge("request.duration", "shop", samples, { tracekit: true })]);
        const result = query(store, { name: "request.duration" });
        expect(result.chart).toBe("distribution");
        expect(result.series[0]).toMatchObject({ values: [50.5], counts: [100], p50: [50], p95: [95], p99: [99] });
        expect(result.heatmap?.counts[0]?.reduce((a, b) => a + b, 0)).toBe(100);
        expect(query(store, { name: "request.duration", chart: "value" }).series[0]?.values).toEqual([64]);
      });

      /**
       * A TraceKit SDK gauge moved by inc() and dec() around requests, as the SDK sends it: every change is
       * a point of the new value, stamped to the millisecond (several in one), all in one export.
       */
      function activeRequests(startMs: number, requests: number): { atMs: number; value: number }[] {
        const points: { atMs: number; value: number }[] = [];
        for (let i = 1; i <= requests; i++) points.push({ atMs: startMs + Math.floor(i / 4), value: i });
        for (let i = requests - 1; i >= 0; i--) points.push({ atMs: startMs + 300 + (requests - i) * 40, value: i });
        return points;
      }

      it("charts a TraceKit gauge that inc() and dec() move as its level, with each step's least and greatest value", async () => {
        const store = await fresh();
        // Three bursts of 20-30 parallel requests, 20 s apart: 150 points, more than the raw tier keeps.
        const bursts = [
          activeRequests(T0_MS + 2 * SECOND, 25),
          activeRequests(T0_MS + 22 * SECOND, 30),
          activeRequests(T0_MS + 42 * SECOND, 20),
        ];
        store.insert(bursts.map((points) => gauge("http.requests.active", "shop-api", points, { tracekit: true })));
        expect(store.metric("http.requests.active")?.level).toBe(true);
        const result = query(store, { name: "http.requests.active", stepMs: 20 * SECOND });
        expect(result.chart).toBe("value");
        const [line] = result.series;
        // The level at each step's end is 0 (every request had ended), but the peaks are kept, also in rollups.
        expect(line?.values).toEqual([0, 0, 0]);
        expect(line?.max).toEqual([25, 30, 20]);
        expect(line?.min).toEqual([0, 0, 0]);
        // Its samples are one click away.
        expect(query(store, { name: "http.requests.active", chart: "distribution" }).series[0]?.counts).toEqual([150]);
      });

      it("takes a TraceKit metric's unit from its `unit` tag when the OTLP unit is empty", async () => {
        const store = await fresh();
        // client.histogram("http.request.duration", { unit: "ms" }): the SDK sends the tag as an attribute.
        const tagged = (values: number[]) =>
          values.map((value, i) => ({ atMs: T0_MS + i, value, attributes: { unit: "ms" } }));
        store.insert([
          gauge("http.request.duration", "shop-api", tagged([12, 48, 230]), { tracekit: true }),
          gauge("db.query.duration", "shop-api", tagged([3, 9]), { tracekit: true, unit: "s" }),
          gauge("otel.thing", "api", tagged([1, 7])),
        ]);
        const unit = (name: string) => store.metric(name)?.descriptor.unit;
        expect(unit("http.request.duration")).toBe("ms");
        // A unit sent in the OTLP field wins; an OpenTelemetry SDK's attributes are only attributes.
        expect(unit("db.query.duration")).toBe("s");
        expect(unit("otel.thing")).toBe("");
      });

      it("keeps a gauge's last value per step and adds the band only when a step held more", async () => {
        const store = await fresh();
        store.insert([
          gauge("queue.depth", "api", [
            { atMs: T0_MS + 5 * SECOND, value: 4 },
            { atMs: T0_MS + 15 * SECOND, value: 9 },
            { atMs: T0_MS + 25 * SECOND, value: 2 },
            { atMs: T0_MS + 45 * SECOND, value: 7 },
          ]),
          gauge("memory", "api", [
            { atMs: T0_MS + 5 * SECOND, value: 10 },
            { atMs: T0_MS + 35 * SECOND, value: 12 },
          ]),
        ]);
        const depth = query(store, { name: "queue.depth", stepMs: 30 * SECOND }).series[0];
        expect(depth).toMatchObject({ values: [2, 7], min: [2, 7], max: [9, 7] });
        // One point per step (an OpenTelemetry SDK's export): the answer is the last values alone.
        expect(query(store, { name: "memory", stepMs: 30 * SECOND }).series[0]).toEqual({
          label: "",
          attributes: {},
          values: [10, 12],
        });
        expect(store.metric("memory")?.level).toBe(false);
      });

      it("takes deltas of cumulative histograms", async () => {
        const store = await fresh();
        const bounds = [1];
        store.insert([
          histogram(
            "h",
            "api",
            [
              { atMs: T0_MS - SECOND, startMs: T0_MS - MINUTE, counts: [5, 5], bounds },
              { atMs: T0_MS + SECOND, startMs: T0_MS - MINUTE, counts: [5, 9], bounds },
            ],
            "cumulative",
          ),
        ]);
        expect(query(store, { name: "h" }).series[0]?.counts).toEqual([4]);
      });

      it("spreads a cumulative histogram's first point over its start..time, clipped to the window, as a counter's", async () => {
        // tracekit-local started two hours after the app: the first point it hears holds 1,200 values
        // recorded over those two hours (10 a minute), the next one 10 more in its minute.
        const store = await fresh();
        const bounds = [10, 100];
        const appStart = T0_MS + 5 * MINUTE - 120 * MINUTE;
        const route = { route: "/a" };
        store.insert([
          histogram(
            "latency",
            "api",
            [
              {
                atMs: T0_MS + 5 * MINUTE,
                startMs: appStart,
                counts: [600, 600, 0],
                bounds,
                sum: 30_000,
                attributes: route,
              },
              {
                atMs: T0_MS + 6 * MINUTE,
                startMs: appStart,
                counts: [605, 605, 0],
                bounds,
                sum: 30_250,
                attributes: route,
              },
            ],
            "cumulative",
          ),
        ]);
        const window = { name: "latency", fromMs: T0_MS, toMs: T0_MS + 15 * MINUTE, stepMs: MINUTE };
        const expectSpread = (counts: readonly (number | null)[]) => {
          // Not 1,200 in the fifth minute: its share of the two hours in each minute of the window before it.
          for (let i = 0; i < 5; i++) expect(counts[i]).toBeCloseTo(10, 6);
          expect(counts[5] ?? 0).toBe(0);
          expect(counts[6]).toBeCloseTo(10, 6);
          expect(counts.reduce<number>((a, b) => a + (b ?? 0), 0)).toBeCloseTo(60, 6);
        };
        const result = query(store, window);
        expectSpread(result.series[0]?.counts ?? []);
        expect(result.series[0]?.values[0]).toBeCloseTo(25, 6);
        expect(result.heatmap?.counts[0]?.[0]).toBeCloseTo(5, 6);
        expect(result.heatmap?.counts[5]).toEqual([0, 0, 0]);
        // A window of its last minute holds that minute's share, and one before the app started nothing.
        expect(
          query(store, { ...window, fromMs: T0_MS + 4 * MINUTE, toMs: T0_MS + 5 * MINUTE }).series[0]?.counts?.[0],
        ).toBeCloseTo(10, 6);
        const before = query(store, { ...window, fromMs: appStart - 10 * MINUTE, toMs: appStart });
        expect((before.series[0]?.counts ?? []).every((c) => c === null || c === 0)).toBe(true);
        // The same when the metric's series keep other bounds (merged as objects, not in shared buckets).
        store.insert([
          histogram("latency", "api", [
            { atMs: T0_MS + 6 * MINUTE, counts: [1, 0], bounds: [50], attributes: { route: "/b" } },
          ]),
        ]);
        const grouped = query(store, { ...window, groupBy: "route" });
        expectSpread(grouped.series.find((s) => s.label === "/a")?.counts ?? []);
      });

      it("spreads a cumulative histogram's first point over its start..time once it is in the rollups, as the raw points do", async () => {
        // An app that started 20 minutes before its first export records 2 values every 10 s: its first
        // point holds 240; then 149 more points, so the first is folded into a 10 s rollup.
        const store = await fresh();
        const first = T0_MS + 20 * MINUTE;
        const bounds = [10, 100];
        const points = Array.from({ length: 150 }, (_, i) => ({
          atMs: first + i * 10 * SECOND,
          startMs: T0_MS,
          counts: [120 + i, 120 + i, 0],
          bounds,
          sum: 6000 + 50 * i,
        }));
        store.insert([histogram("latency", "api", points.slice(0, 100), "cumulative")]);
        // Steps of 10 s over the 10 s rollups of the minutes before the first point: 2 values in each.
        const fine = query(store, { name: "latency", fromMs: first - MINUTE, toMs: first, stepMs: 10 * SECOND });
        expect(fine.series[0]?.counts).toHaveLength(6);
        for (const c of fine.series[0]?.counts ?? []) expect(c).toBeCloseTo(2, 4);
        store.insert([histogram("latency", "api", points.slice(100), "cumulative")]);
        const result = query(store, { name: "latency", fromMs: T0_MS, toMs: T0_MS + 45 * MINUTE });
        const counts = result.series[0]?.counts ?? [];
        // 12 a minute from the app's start, not 240 more in the minute of the first point (whose own
        // 10 s hold none of it: the values after it fill 50 s of that minute).
        for (let m = 0; m < 45; m++) expect(counts[m], `minute ${m}`).toBeCloseTo(m === 20 ? 10 : 12, 4);
        expect(result.heatmap?.counts[20]?.[0]).toBeCloseTo(5, 4);
        expect(result.series[0]?.values[3]).toBeCloseTo(25, 4);
      });

      it("draws a histogram's rollups as continuous lines in steps finer than they are, each step its share", async () => {
        // A delta histogram exported every second for 5 minutes, 2 values each time: the last 64 points stay
        // raw, the older ones are in 10 s rollups, finer steps than that in a window reaching back there.
        const store = await fresh();
        const bounds = [10, 100];
        const points = Array.from({ length: 300 }, (_, i) => ({
          atMs: T0_MS + i * SECOND,
          counts: [1, 1, 0],
          bounds,
          sum: 5 + 50,
        }));
        store.insert([histogram("latency", "api", points)]);
        const window = { name: "latency", fromMs: T0_MS, toMs: T0_MS + 5 * MINUTE };
        for (const stepMs of [5 * SECOND, 2 * SECOND]) {
          const result = query(store, { ...window, stepMs });
          const [line] = result.series;
          const perStep = (2 * stepMs) / SECOND;
          // Every step holds its share of the values, not a rollup's 20 every other step and nothing between.
          expect(line?.counts, `${stepMs} ms steps`).toHaveLength(result.times.length);
          for (const [i, count] of (line?.counts ?? []).entries()) expect(count, `step ${i}`).toBeCloseTo(perStep, 6);
          for (const [i, p50] of (line?.p50 ?? []).entries()) expect(p50, `step ${i}`).toBeCloseTo(10, 6);
          for (const [i, column] of (result.heatmap?.counts ?? []).entries())
            expect(column, `column ${i}`).toEqual([perStep / 2, perStep / 2, 0].map((c) => expect.closeTo(c, 6)));
          // The values of the window, all counted once.
          expect((line?.counts ?? []).reduce<number>((a, b) => a + (b ?? 0), 0)).toBeCloseTo(600, 6);
        }
        // Steps as wide as the rollups, or wider, each hold their own rollups whole, as before.
        const coarse = query(store, { ...window, stepMs: 10 * SECOND }).series[0]?.counts;
        expect(coarse).toEqual(new Array(30).fill(20));
      });

      it("counts a TraceKit SDK gauge's rolled-up values once in steps finer than its rollups", async () => {
        // Two values a second for 5 minutes: the older ones in 10 s rollups of samples, which are values,
        // not counts, so no share of them can go to each step the rollup stands for.
        const store = await fresh();
        const points = Array.from({ length: 600 }, (_, i) => ({ atMs: T0_MS + i * 500, value: 10 + (i % 7) }));
        store.insert([gauge("render.time", "api", points, { tracekit: true })]);
        const window = { name: "render.time", fromMs: T0_MS, toMs: T0_MS + 5 * MINUTE };
        for (const stepMs of [10 * SECOND, 5 * SECOND, 2 * SECOND]) {
          const result = query(store, { ...window, stepMs });
          const counts = result.series[0]?.counts ?? [];
          expect(
            counts.reduce<number>((a, b) => a + (b ?? 0), 0),
            `${stepMs} ms steps`,
          ).toBe(600);
        }
      });

      it("gives the window's percentiles of every series together, as one group's lines give them", async () => {
        const store = await fresh();
        const at = T0_MS + 10 * SECOND;
        store.insert([
          histogram("same", "api", [
            { atMs: at, counts: [3, 10, 1], bounds: [10, 100], min: 2, max: 150, attributes: { route: "/a" } },
            { atMs: at, counts: [1, 2, 4], bounds: [10, 100], min: 5, max: 400, attributes: { route: "/b" } },
          ]),
          // Other bounds per series: merged as objects, not in shared buckets.
          histogram("other", "api", [
            { atMs: at, counts: [3, 10, 1], bounds: [10, 100], min: 2, max: 150, attributes: { route: "/a" } },
            { atMs: at, counts: [1, 2, 4], bounds: [20, 100], min: 5, max: 400, attributes: { route: "/b" } },
          ]),
        ]);
        for (const name of ["same", "other"]) {
          const bySeries = query(store, { name });
          expect(bySeries.series).toHaveLength(2);
          const all = query(store, { name, groupBy: "*" }).series[0];
          expect(bySeries.windowPercentiles).toEqual({ p50: all?.p50?.[0], p95: all?.p95?.[0], p99: all?.p99?.[0] });
        }
        // None without values in the window.
        expect(query(store, { name: "same", fromMs: T0_MS + MINUTE, toMs: T0_MS + 2 * MINUTE }).windowPercentiles).toBe(
          undefined,
        );
      });

      it("reads a cumulative histogram's percentiles above its last bound up to the recorded max, not at the bound", async () => {
        const store = await fresh();
        // Payload sizes of 1 kB to 900 kB in bounds that end at 10,000: nearly all in the open last bucket.
        const bounds = [1000, 10_000];
        store.insert([
          histogram(
            "payload",
            "api",
            [
              { atMs: T0_MS - SECOND, startMs: T0_MS - MINUTE, counts: [1, 0, 99], bounds, min: 1000, max: 450_000 },
              { atMs: T0_MS + SECOND, startMs: T0_MS - MINUTE, counts: [1, 0, 199], bounds, min: 1000, max: 900_000 },
            ],
            "cumulative",
          ),
        ]);
        const result = query(store, { name: "payload" });
        const series = result.series[0];
        expect(series?.counts).toEqual([100]);
        // The delta's own extremes are not sent; the cumulative ones hold every value of it.
        expect(series?.p50?.[0]).toBeCloseTo(10_000 + 890_000 * 0.5, 0);
        expect(series?.p99?.[0]).toBeLessThanOrEqual(900_000);
        expect(series?.p99?.[0]).toBeGreaterThan(850_000);
        expect(result.heatmap).toMatchObject({ min: 1000, max: 900_000 });
      });
    });

    it("charts a summary's quantiles as sent", async () => {
      const store = await fresh();
      store.insert([
        summary("rpc", "api", [
          {
            atMs: T0_MS + SECOND,
            count: 4,
            sum: 10,
            quantiles: [
              [0.5, 2],
              [0.99, 4],
            ],
          },
          {
            atMs: T0_MS + 2 * SECOND,
            count: 8,
            sum: 24,
            quantiles: [
              [0.5, 3],
              [0.99, 5],
            ],
          },
        ]),
      ]);
      const result = query(store, { name: "rpc" });
      expect(result.chart).toBe("quantiles");
      expect(result.series[0]).toMatchObject({ values: [3], quantiles: { "0.5": [3], "0.99": [5] } });
    });

    it("returns the exemplars in the window, newest first, with their series' label", async () => {
      const store = await fresh();
      store.insert([
        histogram("latency", "api", [
          {
            atMs: T0_MS + SECOND,
            counts: [1, 1],
            bounds: [10],
            attributes: { route: "/a" },
            exemplars: [exemplar(T0_MS + 500, 4, 1), exemplar(T0_MS + 900, 40, 2)],
          },
          { atMs: T0_MS + 2 * MINUTE, counts: [1, 0], bounds: [10], exemplars: [exemplar(T0_MS + 2 * MINUTE, 1, 3)] },
        ]),
      ]);
      const result = query(store, { name: "latency" });
      expect(result.exemplars).toEqual([
        { ...exemplar(T0_MS + 900, 40, 2), seriesLabel: "route=/a" },
        { ...exemplar(T0_MS + 500, 4, 1), seriesLabel: "route=/a" },
      ]);
    });

    describe("bounds", () => {
      it("drops points of new series past the cap, counting series and points; existing series go on", async () => {
        const store = await fresh({ maxSeries: 2 });
        const point = (host: string, atMs = T0_MS) => ({ atMs, value: 1, attributes: { host } });
        store.insert([gauge("g", "api", [point("a"), point("b")])]);
        const result = store.insert([gauge("g", "api", [point("c"), point("c"), point("d"), point("a", T0_MS + 1)])]);
        expect(result).toMatchObject({ accepted: 1, droppedPoints: 3 });
        store.insert([gauge("other", "api", [point("a")])]);
        expect(store.stats()).toEqual({
          metrics: 1,
          series: 2,
          points: 3,
          maxSeries: 2,
          droppedSeries: 3,
          droppedPoints: 4,
          expiredSeries: 0,
        });
        expect(store.catalog({})).toMatchObject({ maxSeries: 2, droppedSeries: 3, droppedPoints: 4 });
      });

      it("holds a bounded number of entries per series however many points arrive", async () => {
        const store = await fresh();
        // Two days of a gauge set every 10 seconds.
        const day = 24 * 60 * MINUTE;
        for (let t = 0; t < 2 * day; t += 3600 * SECOND) {
          const points = Array.from({ length: 360 }, (_, i) => ({ atMs: T0_MS + t + i * 10 * SECOND, value: i }));
          store.insert([gauge("busy", "svc", points)]);
        }
        const result = query(store, { name: "busy", fromMs: T0_MS, toMs: T0_MS + 2 * day, stepMs: 10 * MINUTE });
        const kept = result.series[0]?.values.filter((v) => v !== null).length ?? 0;
        // The last day is there (in 10-minute rollups or finer), the day before it is gone.
        expect(kept).toBeGreaterThanOrEqual(144);
        expect(kept).toBeLessThanOrEqual(MAX_ENTRIES);
        expect(result.series[0]?.values.slice(0, 100).every((v) => v === null)).toBe(true);
      });

      it("removes series that stopped a day before the newest point, freeing room under the cap", async () => {
        const store = await fresh({ maxSeries: 1 });
        store.insert([gauge("old", "api", [{ atMs: T0_MS, value: 1 }])]);
        store.insert([gauge("old", "api", [{ atMs: T0_MS + 2 * MINUTE, value: 1, attributes: { a: 1 } }])]);
        expect(store.stats()).toMatchObject({ series: 1, droppedSeries: 1 });
        store.insert([gauge("new", "api", [{ atMs: T0_MS + SERIES_RETENTION_MS + MINUTE, value: 1 }])]);
        expect(store.stats()).toMatchObject({ series: 1, droppedSeries: 1 });
        expect(store.catalog({}).metrics.map((m) => m.descriptor.name)).toEqual(["new"]);
      });

      it("counts the series retention removed, and names the metrics it removed whole until they come back", async () => {
        const store = await fresh();
        store.insert([
          gauge("old", "api", [
            { atMs: T0_MS, value: 1 },
            { atMs: T0_MS, value: 2, attributes: { a: 1 } },
          ]),
          gauge("kept", "api", [{ atMs: T0_MS, value: 1, attributes: { a: 1 } }]),
        ]);
        const later = T0_MS + SERIES_RETENTION_MS + MINUTE;
        store.insert([gauge("kept", "api", [{ atMs: later, value: 1 }])]);
        expect(store.stats()).toMatchObject({ series: 1, expiredSeries: 3 });
        const catalog = store.catalog({});
        expect(catalog.expiredSeries).toBe(3);
        expect(catalog.retentionMs).toBe(SERIES_RETENTION_MS);
        // "kept" lost a series but not its name: only "old" went whole.
        expect(catalog.expiredMetrics).toEqual([
          { name: "old", seriesCount: 2, lastTimeUnixNano: BigInt(T0_MS) * 1_000_000n, newestMs: later },
        ]);
        store.insert([gauge("old", "api", [{ atMs: later, value: 3 }])]);
        expect(store.catalog({}).expiredMetrics).toEqual([]);
        expect(store.stats().expiredSeries).toBe(3);
        store.clear();
        expect(store.catalog({})).toMatchObject({ expiredSeries: 0, expiredMetrics: [] });
      });

      it("starts a new series for a removed one's attributes, also where the same export order led to it", async () => {
        const store = await fresh();
        const later = T0_MS + SERIES_RETENTION_MS + MINUTE;
        const kept = { series: "kept" };
        const gone = { series: "gone" };
        store.insert([
          gauge("g", "api", [
            { atMs: T0_MS, value: 1, attributes: kept },
            { atMs: T0_MS, value: 2, attributes: gone },
          ]),
        ]);
        // Only the first series goes on; a day later the second is removed.
        store.insert([gauge("g", "api", [{ atMs: later - 2 * MINUTE, value: 3, attributes: kept }])]);
        store.insert([
          gauge("g", "api", [
            { atMs: later, value: 4, attributes: kept },
            { atMs: later, value: 5, attributes: gone },
          ]),
        ]);
        expect(store.stats().series).toBe(2);
        const result = query(store, { name: "g", fromMs: later - MINUTE, toMs: later + MINUTE, stepMs: 2 * MINUTE });
        expect(result.series.map((s) => [s.label, s.values])).toEqual([
          ["series=gone", [5]],
          ["series=kept", [4]],
        ]);
      });
    });

    it("forgets everything on clear", async () => {
      const store = await fresh({ maxSeries: 1 });
      store.insert([gauge("a", "api", [{ atMs: T0_MS, value: 1 }]), gauge("b", "api", [{ atMs: T0_MS, value: 1 }])]);
      store.clear();
      expect(store.stats()).toEqual({
        metrics: 0,
        series: 0,
        points: 0,
        maxSeries: 1,
        droppedSeries: 0,
        droppedPoints: 0,
        expiredSeries: 0,
      });
      expect(store.catalog({}).metrics).toEqual([]);
      store.insert([gauge("b", "api", [{ atMs: T0_MS, value: 1 }])]);
      expect(store.stats()).toMatchObject({ series: 1, points: 1 });
    });
  });
}
