import { copyFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { MetricBounds, MetricQuery } from "../../src/store/metric-store.js";
import { type OpenedStores, openStores } from "../../src/store/open-store.js";
import { storeUnavailableReason } from "../../src/store/store-unavailable.js";
import { tempDir } from "../helpers/app.js";
import { copyAsKilled } from "./killed-copy.js";
import { exemplar, gauge, histogram, MINUTE, SECOND, sum, T0_MS } from "./metric-fixtures.js";
import { describeMetricStoreContract } from "./metric-store-contract.js";
import { rootSpan, traceId } from "./span-fixtures.js";

const dir = tempDir();
afterAll(() => dir.remove());
let files = 0;
const tempPath = () => `${dir.path}/metrics-${++files}.db`;

describeMetricStoreContract("sqlite", async (bounds) => {
  // Opened as --db opens it: a companion of the span store; closing the span store closes it too.
  const { store, metrics } = await openStores({ dbPath: tempPath(), maxSpans: 1000, metrics: bounds });
  return {
    ...metrics,
    kind: metrics.kind,
    close() {
      store.close();
    },
  };
});

const ACTIVE = [0, 1, 2].flatMap((minute) =>
  [...Array.from({ length: 30 }, (_, i) => i + 1), ...Array.from({ length: 30 }, (_, i) => 29 - i)].map((value, i) => ({
    atMs: T0_MS + minute * MINUTE + 10 * SECOND + i * 20,
    value,
  })),
);

/** Every answer about the named metrics, to compare before and after. */
function snapshotOf(opened: OpenedStores, names: string[]) {
  const window = { fromMs: T0_MS, toMs: T0_MS + 20 * MINUTE, stepMs: MINUTE, where: [] };
  return {
    catalog: opened.metrics.catalog({}),
    stats: opened.metrics.stats(),
    charts: names.map((name) => opened.metrics.query({ name, ...window })),
  };
}

describe("sqlite: metrics in the --db file", () => {
  const window: Omit<MetricQuery, "name"> = { fromMs: T0_MS, toMs: T0_MS + 10 * MINUTE, stepMs: MINUTE, where: [] };

  async function fill(opened: OpenedStores): Promise<void> {
    const start = T0_MS - MINUTE;
    // Enough points to fold raw points into rollups, plus exemplars, a histogram and a gauge.
    const points = Array.from({ length: 300 }, (_, i) => ({ atMs: T0_MS + i * SECOND, value: i + 1, startMs: start }));
    opened.metrics.insert([
      sum("orders", "shop", points, { temporality: "cumulative", monotonic: true, unit: "{order}" }),
      histogram("latency", "shop", [
        { atMs: T0_MS + SECOND, counts: [1, 2, 3], bounds: [10, 100], exemplars: [exemplar(T0_MS + 500, 50, 7)] },
      ]),
      gauge("queue", "worker", [{ atMs: T0_MS + 2 * SECOND, value: 4, attributes: { queue: "mail" } }]),
      // A TraceKit gauge that inc() and dec() move, 30 up and down 3 times: its peaks are in rollups.
      gauge("active", "shop", ACTIVE, { tracekit: true }),
    ]);
  }

  function snapshot(opened: OpenedStores) {
    return {
      catalog: opened.metrics.catalog({}),
      stats: opened.metrics.stats(),
      orders: opened.metrics.query({ name: "orders", ...window }),
      latency: opened.metrics.query({ name: "latency", ...window }),
      queue: opened.metrics.query({ name: "queue", ...window }),
      active: opened.metrics.query({ name: "active", ...window }),
    };
  }

  it("still reads a delta counter as 0/s after its last point while its app exported, after a restart", async () => {
    const path = tempPath();
    const orders = { "service.name": "orders", "service.instance.id": "a" };
    const delta = { temporality: "delta", monotonic: true } as const;
    const requests = [10, 20].map((second) => ({ atMs: T0_MS + second * SECOND, startMs: T0_MS, value: 10 }));
    const heap = [10, 30, 50].map((second) => ({ atMs: T0_MS + second * SECOND, value: 1 }));
    const quiet = { ...window, toMs: T0_MS + MINUTE, stepMs: 10 * SECOND, name: "requests" };
    let opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: { maxSeries: 10 } });
    opened.metrics.insert([
      { ...sum("requests", "orders", requests, delta), resource: orders },
      { ...gauge("heap", "orders", heap), resource: orders },
    ]);
    const before = opened.metrics.query(quiet);
    expect(before?.series[0]?.values.slice(2)).toEqual([0, 0, 0, null]);
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: { maxSeries: 10 } });
    try {
      expect(opened.metrics.query(quiet)).toEqual(before);
    } finally {
      opened.store.close();
    }
  });

  it("keeps what retention removed, and its count, across a restart", async () => {
    const path = tempPath();
    let opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: { maxSeries: 10 } });
    const later = T0_MS + 25 * 60 * MINUTE;
    opened.metrics.insert([gauge("old", "api", [{ atMs: T0_MS, value: 1 }])]);
    opened.metrics.insert([gauge("new", "api", [{ atMs: later, value: 1 }])]);
    opened.metrics.commit?.();
    const before = opened.metrics.catalog({});
    expect(before.expiredMetrics.map((m) => m.name)).toEqual(["old"]);
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: { maxSeries: 10 } });
    try {
      expect(opened.metrics.catalog({})).toEqual(before);
      expect(opened.metrics.stats().expiredSeries).toBe(1);
    } finally {
      opened.store.close();
    }
  });

  it("keeps every series, rollup, exemplar and count across a restart, beside the spans", async () => {
    const path = tempPath();
    let opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: { maxSeries: 10 } });
    opened.store.insertSpans([rootSpan(1)]);
    await fill(opened);
    const before = snapshot(opened);
    expect(before.stats).toMatchObject({ metrics: 4, series: 4, points: 302 + ACTIVE.length });
    expect(before.active?.chart).toBe("value");
    expect(before.active?.series[0]?.max?.slice(0, 4)).toEqual([30, 30, 30, null]);
    expect(before.active?.series[0]?.values.slice(0, 4)).toEqual([0, 0, 0, null]);
    opened.store.close();

    opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: { maxSeries: 10 } });
    try {
      expect(opened.store.getTrace(traceId(1))).toHaveLength(1);
      expect(snapshot(opened)).toEqual(before);
      // A cumulative counter goes on from where it was: the next point adds only its difference (42).
      // The first point's 1, counted over the minute before the window, stays before it once rolled up
      // (as its raw point was).
      opened.metrics.insert([
        sum("orders", "shop", [{ atMs: T0_MS + 301 * SECOND, value: 342, startMs: T0_MS - MINUTE }], {
          temporality: "cumulative",
          monotonic: true,
        }),
      ]);
      const after = opened.metrics.query({ name: "orders", ...window, stepMs: 10 * MINUTE });
      // A rate per second of the part of the step its points cover: T0 to the last point, 301 s.
      expect((after?.series[0]?.values[0] as number) * 301).toBeCloseTo(341, 6);
    } finally {
      opened.store.close();
    }
  });

  it("keeps the same answers across a restart when the file is written many times within one insert", async () => {
    // A write every few changed entries: folding raw points into rollups is under way when the count
    // is reached, and the file must still get what readers see once the insert is done.
    for (let flushEntries = 1; flushEntries <= 40; flushEntries++) {
      const path = tempPath();
      const bounds = { maxSeries: 10, flushEntries } as MetricBounds;
      let opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
      await fill(opened);
      const before = snapshot(opened);
      opened.store.close();
      opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
      try {
        expect(snapshot(opened), `a write every ${flushEntries} entries`).toEqual(before);
      } finally {
        opened.store.close();
      }
    }
  });

  it("counts a series refused past the bound once, also when it is refused again after a restart", async () => {
    const path = tempPath();
    const bounds = { maxSeries: 1 } as MetricBounds;
    const points = (atMs: number) =>
      ["1", "2", "3"].map((i) => gauge("x", "api", [{ atMs, value: 1, attributes: { i } }]));
    let opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
    opened.metrics.insert(points(T0_MS));
    expect(opened.metrics.stats()).toMatchObject({ series: 1, droppedSeries: 2, droppedPoints: 2 });
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
    try {
      opened.metrics.insert(points(T0_MS + SECOND));
      expect(opened.metrics.stats()).toMatchObject({ series: 1, droppedSeries: 2, droppedPoints: 4 });
    } finally {
      opened.store.close();
    }
  });

  it("keeps a cumulative histogram's first point spread over its start..time across a restart", async () => {
    const path = tempPath();
    const window = { name: "latency", fromMs: T0_MS, toMs: T0_MS + 10 * MINUTE, stepMs: MINUTE, where: [] };
    // 1,200 values over the two hours before its time: 10 a minute.
    const first = histogram(
      "latency",
      "shop",
      [{ atMs: T0_MS + 5 * MINUTE, startMs: T0_MS - 115 * MINUTE, counts: [600, 600, 0], bounds: [10, 100] }],
      "cumulative",
    );
    let opened = await openStores({ dbPath: path, maxSpans: 1000 });
    opened.metrics.insert([first]);
    const before = opened.metrics.query(window);
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      const after = opened.metrics.query(window);
      expect(after).toEqual(before);
      expect(after?.series[0]?.counts?.slice(0, 6)).toEqual([10, 10, 10, 10, 10, null]);
      // A window ending now that opens on the data opens where those values began, not at the point.
      const young = opened.metrics.query({ ...window, fromMs: T0_MS - 6 * 60 * MINUTE, startAtData: true });
      expect(young?.firstPointMs).toBe(T0_MS - 115 * MINUTE);
    } finally {
      opened.store.close();
    }
  });

  it("keeps each instance's place in a cumulative counter across a restart", async () => {
    const path = tempPath();
    const cumulative = { temporality: "cumulative", monotonic: true } as const;
    const exportOf = (instance: string, startMs: number, k: number, value: number) => ({
      ...sum("jobs", "queue", [{ atMs: T0_MS + k * 10 * SECOND, value, startMs }], cumulative),
      resource: { "service.name": "queue", "service.instance.id": instance },
    });
    const exportsUpTo = (opened: OpenedStores, from: number, to: number) => {
      for (let k = from; k < to; k++) {
        opened.metrics.insert([exportOf("a", T0_MS - 10 * MINUTE, k, 100 + 6 * k)]);
        opened.metrics.insert([exportOf("b", T0_MS - 20 * MINUTE, k, 900 + 6 * k)]);
      }
    };
    let opened = await openStores({ dbPath: path, maxSpans: 1000 });
    exportsUpTo(opened, 0, 3);
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      exportsUpTo(opened, 3, 6);
      const result = opened.metrics.query({
        name: "jobs",
        fromMs: T0_MS,
        toMs: T0_MS + MINUTE,
        stepMs: MINUTE,
        where: [],
      });
      // Each grew by 30 in the 50 s their exports cover: 60, the restart between their third and fourth exports or not.
      expect((result?.series[0]?.values[0] ?? 0) * 50).toBeCloseTo(60, 6);
    } finally {
      opened.store.close();
    }
  });

  it("knows a point sent again after a restart, also one it let go of, and counts a new late one", async () => {
    const path = tempPath();
    const bounds = { maxSeries: 10 };
    const at = (s: number) => ({ atMs: T0_MS + s * SECOND, value: s });
    const delta = { temporality: "delta", monotonic: true } as const;
    // More points than a series keeps apart: the oldest are let go of.
    const points = Array.from({ length: 300 }, (_, i) => at(i * 2));
    let opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
    opened.metrics.insert([sum("sent", "api", points, delta), gauge("queue", "api", points)]);
    const before = snapshotOf(opened, ["sent", "queue"]);
    opened.store.close();

    opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
    try {
      const again = opened.metrics.insert([sum("sent", "api", points, delta), gauge("queue", "api", points)]);
      expect(again).toMatchObject({ accepted: 0, duplicates: 600 });
      expect(snapshotOf(opened, ["sent", "queue"])).toEqual(before);
      // Between two kept points: new. Before the kept ones: taken as received.
      expect(opened.metrics.insert([gauge("queue", "api", [at(501), at(1)])])).toMatchObject({
        accepted: 1,
        duplicates: 1,
      });
    } finally {
      opened.store.close();
    }
  });

  it("takes what a file written before point keys holds as received", async () => {
    const path = tempPath();
    const at = (s: number) => ({ atMs: T0_MS + s * SECOND, value: s });
    let opened = await openStores({ dbPath: path, maxSpans: 1000 });
    opened.metrics.insert([gauge("queue", "api", [at(1), at(2), at(3)])]);
    opened.store.close();
    // As the version before point keys left it.
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(path);
    raw.exec(
      "DROP TABLE mt_received; DROP TABLE mt_point_keys; ALTER TABLE mt_counters DROP COLUMN dropped_keys; " +
        "ALTER TABLE mt_counters DROP COLUMN expired_series; ALTER TABLE mt_counters DROP COLUMN expired_metrics; " +
        "UPDATE metric_schema SET version = 1; " +
        "UPDATE mt_series SET state = json_remove(state, '$.g');",
    );
    raw.close();

    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      expect(opened.metrics.insert([gauge("queue", "api", [at(1), at(2), at(3), at(4)])])).toMatchObject({
        accepted: 1,
        duplicates: 3,
      });
      expect(opened.metrics.insert([gauge("queue", "api", [at(4), at(5)])])).toMatchObject({
        accepted: 1,
        duplicates: 1,
      });
    } finally {
      opened.store.close();
    }
  });

  it("keeps when a counter began counting across a restart, and reads it from the entries of an older file", async () => {
    const path = tempPath();
    // Started a minute before its first point: once that point is in a 10 s rollup, only the series says so.
    const start = T0_MS - MINUTE;
    const points = Array.from({ length: 200 }, (_, i) => ({ atMs: T0_MS + i * SECOND, value: i + 1, startMs: start }));
    const around = { name: "orders", fromMs: T0_MS - 5 * MINUTE, toMs: T0_MS + 5 * MINUTE, stepMs: MINUTE, where: [] };
    const counted = (opened: OpenedStores) => opened.metrics.query(around)?.series[0]?.counted;
    let opened = await openStores({ dbPath: path, maxSpans: 1000 });
    opened.metrics.insert([sum("orders", "shop", points, { temporality: "cumulative", monotonic: true })]);
    expect(counted(opened)).toEqual({ fromUnixMs: start, toUnixMs: T0_MS + 199 * SECOND });
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      expect(counted(opened)).toEqual({ fromUnixMs: start, toUnixMs: T0_MS + 199 * SECOND });
    } finally {
      opened.store.close();
    }
    // A file written before the series kept it: the earliest start its entries hold (the first point's
    // increase went to the rollups of the minute it was counted over).
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(path);
    raw.exec("UPDATE mt_series SET state = json_remove(state, '$.c');");
    raw.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      expect(counted(opened)).toEqual({ fromUnixMs: start, toUnixMs: T0_MS + 199 * SECOND });
    } finally {
      opened.store.close();
    }
  });

  it("writes changes in batches, and a clear empties the tables", async () => {
    const path = tempPath();
    let opened = await openStores({ dbPath: path, maxSpans: 1000 });
    await fill(opened);
    opened.metrics.clear();
    opened.metrics.insert([gauge("after", "api", [{ atMs: T0_MS, value: 1 }])]);
    opened.store.close();
    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      expect(opened.metrics.catalog({}).metrics.map((m) => m.descriptor.name)).toEqual(["after"]);
      expect(opened.metrics.stats()).toMatchObject({ series: 1, points: 1 });
    } finally {
      opened.store.close();
    }
  });

  it("commits an awaited export on its own, and reads it again when the file opens before its series are written", async () => {
    const path = tempPath();
    const copy = tempPath();
    // The series' rows wait a minute: an awaited commit holds only the exports.
    const bounds = { maxSeries: 10, flushIntervalMs: 60_000 } as MetricBounds;
    const opened = await openStores({ dbPath: path, maxSpans: 1000, metrics: bounds });
    try {
      await fill(opened);
      await opened.metrics.committed?.();
      // A cumulative counter read against the exports before it: they must be read again in order.
      const start = T0_MS - MINUTE;
      opened.metrics.insert([
        sum("orders", "shop", [{ atMs: T0_MS + 301 * SECOND, value: 400, startMs: start }], {
          temporality: "cumulative",
          monotonic: true,
          unit: "{order}",
        }),
      ]);
      await opened.metrics.committed?.();
      // The file as a kill -9 would leave it now.
      copyFileSync(path, copy);
      copyFileSync(`${path}-wal`, `${copy}-wal`);
      const Driver = (await import("better-sqlite3")).default;
      const raw = new Driver(copy);
      const count = (table: string) => raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      expect([count("mt_received"), count("mt_series")]).toEqual([2, 0]);
      raw.close();

      const reopened = await openStores({ dbPath: copy, maxSpans: 1000, metrics: bounds });
      try {
        expect(snapshot(reopened)).toEqual(snapshot(opened));
        expect(reopened.metrics.stats().points).toBe(303 + ACTIVE.length);
        reopened.metrics.commit?.();
      } finally {
        reopened.store.close();
      }
      // Once the series are written, the exports are not kept.
      const after = new Driver(copy);
      expect(after.prepare("SELECT count(*) FROM mt_received").pluck().get()).toBe(0);
      expect(after.prepare("SELECT count(*) FROM mt_series").pluck().get()).toBe(4);
      after.close();
    } finally {
      opened.store.close();
    }
  });

  /** `series` gauge series of one point each, with 2 KB attributes: their rows need new pages. */
  function bulkyGauge(name: string, series: number) {
    const filler = "z".repeat(2048);
    return gauge(
      name,
      "api",
      Array.from({ length: series }, (_, i) => ({ atMs: T0_MS, value: i, attributes: { slot: `${i}${filler}` } })),
    );
  }

  /** Errors no code caught (a throw in a timer): each would end a server's process. */
  function watchUncaught(): { errors: unknown[]; stop(): void } {
    const errors: unknown[] = [];
    const listener = (error: unknown) => errors.push(error);
    process.on("uncaughtException", listener);
    return { errors, stop: () => process.off("uncaughtException", listener) };
  }

  /** The rows of `table` in the file as it is on disk (read from a copy: the store holds the file exclusively). */
  async function rowsIn(path: string, table: string): Promise<unknown> {
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(copyAsKilled(path, tempPath()));
    try {
      return raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    } finally {
      raw.close();
    }
  }

  it("keeps the exports in the file when a write on its timer finds the disk full, tells the next insert, and lives", async () => {
    const path = tempPath();
    let pragma: (statement: string) => unknown = () => undefined;
    const flushIntervalMs = 50;
    const bounds = { maxSeries: 1000, flushIntervalMs } as MetricBounds;
    const opened = await openStores({
      dbPath: path,
      maxSpans: 1000,
      metrics: bounds,
      onDatabasePragma: (run) => {
        pragma = run;
      },
    });
    const uncaught = watchUncaught();
    // The store's timer is run by the test, once the disk is full: on its own it could fall due
    // before (a busy machine), and write the series' rows while there is still room.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      opened.metrics.insert([bulkyGauge("bulky", 300)]);
      await opened.metrics.committed?.();
      // As on a full disk: the file may grow no more, so the series' rows cannot be written.
      const [{ page_count }] = pragma("page_count") as [{ page_count: number }];
      pragma(`max_page_count = ${page_count}`);
      expect(vi.getTimerCount()).toBe(1);
      // The timer falls due: what its callback throws would be thrown here (uncaught, in a server).
      expect(() => vi.advanceTimersByTime(flushIntervalMs)).not.toThrow();
      expect(uncaught.errors).toEqual([]);
      expect(await rowsIn(path, "mt_received")).toBe(1);
      expect(await rowsIn(path, "mt_series")).toBe(0);
      // Memory was read back from the file: the export is there.
      expect(opened.metrics.stats()).toMatchObject({ series: 300, points: 300 });
      // A process killed now keeps it too.
      const copy = copyAsKilled(path, tempPath());
      const reopened = await openStores({ dbPath: copy, maxSpans: 1000, metrics: bounds });
      try {
        expect(reopened.metrics.stats()).toMatchObject({ series: 300, points: 300 });
      } finally {
        reopened.store.close();
      }

      // The next insert is told, once, and keeps nothing.
      const next = () => opened.metrics.insert([gauge("next", "api", [{ atMs: T0_MS, value: 1 }])]);
      let told: unknown;
      try {
        next();
      } catch (error) {
        told = error;
      }
      expect(storeUnavailableReason(told)).toMatch(/SQLITE_FULL/);
      expect(opened.metrics.stats().points).toBe(300);

      // Room again: the next write stores the series and lets the exports go.
      pragma("max_page_count = 1073741823");
      expect(next().accepted).toBe(1);
      await opened.metrics.committed?.();
      opened.metrics.commit?.();
      expect(await rowsIn(path, "mt_received")).toBe(0);
      expect(await rowsIn(path, "mt_series")).toBe(301);
      expect(opened.metrics.stats()).toMatchObject({ series: 301, points: 301 });
      expect(uncaught.errors).toEqual([]);
    } finally {
      vi.useRealTimers();
      uncaught.stop();
      pragma("max_page_count = 1073741823");
      opened.store.close();
    }
  });
});
