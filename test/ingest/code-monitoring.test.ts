import Driver from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.js";
import { type CodeMonitoringEvent, createCodeMonitoring } from "../../src/ingest/code-monitoring.js";
import { createLiveHub } from "../../src/live/hub.js";
import { createSdkStreams } from "../../src/live/sdk-streams.js";
import { createMemoryCodeMonitoringStore } from "../../src/store/code-monitoring-memory-store.js";
import { createSqliteCodeMonitoringStore } from "../../src/store/code-monitoring-sqlite-store.js";
import type { SqliteDatabase } from "../../src/store/sqlite-schema.js";
import { tempDir } from "../helpers/app.js";

const dir = tempDir();
afterAll(() => dir.remove());

function setup(maxBreakpoints: number) {
  const store = createMemoryCodeMonitoringStore();
  const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
  const streams = createSdkStreams();
  const codeMonitoring = createCodeMonitoring({ store, hub, streams, maxBreakpoints });
  return {
    store,
    codeMonitoring,
    close() {
      codeMonitoring.close();
      streams.close();
      hub.close();
    },
  };
}

const location = (line: number) => ({
  service: "checkout",
  filePath: "/app/a.js",
  lineNumber: line,
  functionName: "pay",
  label: "",
});

/** A capture for `breakpointId` at line 1 of checkout (or `service`) with nothing captured. */
const captureRequest = (breakpointId: string, service = "checkout") => ({
  ...location(1),
  service,
  breakpointId,
  capturedAt: null,
  traceId: null,
  spanId: null,
  variables: {},
  variableNames: [],
  securityFlags: [],
  stackTrace: "",
  requestContext: null,
});

describe("code monitoring rules", () => {
  it("refuses a new breakpoint past the bound with a 409, and still answers for known locations", () => {
    const { store, codeMonitoring, close } = setup(3);
    try {
      for (let line = 1; line <= 3; line++) expect(codeMonitoring.autoRegister(location(line)).created).toBe(true);
      const refusal = (() => {
        try {
          codeMonitoring.autoRegister(location(4));
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({ status: 409, code: "too_many_breakpoints" });
      expect(() =>
        codeMonitoring.createBreakpoint({
          ...location(5),
          condition: "",
          maxCaptures: 0,
          expireAt: null,
          enabled: true,
        }),
      ).toThrow(/at most 3 breakpoints/);
      expect(codeMonitoring.autoRegister(location(2)).created).toBe(false);
      expect(store.stats().breakpoints).toBe(3);
    } finally {
      close();
    }
  });

  it("counts each accepted capture and stops at max_captures", () => {
    const { store, codeMonitoring, close } = setup(10);
    try {
      const { breakpoint } = codeMonitoring.autoRegister(location(1));
      codeMonitoring.updateBreakpoint(breakpoint.id, { enabled: true, maxCaptures: 2 });
      const request = captureRequest(breakpoint.id);
      codeMonitoring.capture(request);
      codeMonitoring.capture(request);
      expect(() => codeMonitoring.capture(request)).toThrow(/exhausted/);
      expect(store.getBreakpoint(breakpoint.id)).toMatchObject({ captureCount: 2, lastCapturedAt: expect.any(Number) });
      expect(store.stats().snapshots).toBe(2);
      expect(codeMonitoring.sdkBreakpoint(store.getBreakpoint(breakpoint.id)!)).toMatchObject({ enabled: false });
    } finally {
      close();
    }
  });
});

describe("each service's last capture", () => {
  const T = Date.parse("2026-12-02T10:00:00Z");
  /** A capture from `service`, refused 409 while the kill switch is on: its SDK is not paused. */
  const refusedCapture = (service: string) => captureRequest("00000000-0000-4000-8000-000000000000", service);
  const trippedAt = (ms: number) => [
    {
      type: "circuit_breaker_tripped",
      data: { failure_count: 3, window_seconds: 60, cooldown_seconds: 300, timestamp: new Date(ms).toISOString() },
    },
  ];

  it("is kept for at most 1,000 services in memory while the file cannot be written", () => {
    const base = createMemoryCodeMonitoringStore();
    const unwritable = () => {
      throw new Error("SQLITE_FULL: database or disk is full");
    };
    const store = { ...base, saveLastCapture: unwritable, deleteLastCapture: unwritable };
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
    const streams = createSdkStreams();
    const codeMonitoring = createCodeMonitoring({ store, hub, streams, now: () => T });
    try {
      codeMonitoring.setKillSwitch(true);
      for (let i = 0; i <= 1_000; i++) {
        expect(() => codeMonitoring.capture(refusedCapture(`service-${i}`))).toThrow(/kill switch/);
      }
      // A pause reported as begun 30 s before the capture: ended by it only where the capture is remembered.
      codeMonitoring.reportEvents("service-0", trippedAt(T - 30_000));
      codeMonitoring.reportEvents("service-1000", trippedAt(T - 30_000));
      const pauses = codeMonitoring.state().sdkPauses;
      expect(pauses["service-1000"]?.until).toBe(new Date(T).toISOString());
      expect(pauses["service-0"]?.until).toBe(new Date(T + 270_000).toISOString());
    } finally {
      codeMonitoring.close();
      streams.close();
      hub.close();
    }
  });

  it("is cut back to the newest 1,000 services when a file holding more is read back", () => {
    const store = createMemoryCodeMonitoringStore();
    for (let i = 0; i <= 1_001; i++) store.saveLastCapture(`service-${i}`, T + i);
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
    const streams = createSdkStreams();
    const codeMonitoring = createCodeMonitoring({ store, hub, streams, now: () => T });
    try {
      const kept = store.listLastCaptures().map(({ service }) => service);
      expect(kept).toHaveLength(1_000);
      expect(kept).not.toContain("service-0");
      expect(kept).not.toContain("service-1");
      expect(kept).toContain("service-2");
    } finally {
      codeMonitoring.close();
      streams.close();
      hub.close();
    }
  });
});

describe("the live page's breakpoint state", () => {
  it("is told of a check-in after an edit its SDK had not heard of, and not of every check-in", async () => {
    const { codeMonitoring, close, hub } = setupWithHub();
    const told: { lastCheckIns: Record<string, string>; breakpoints: { updatedAt: string }[] }[] = [];
    hub.addClient({
      send: (data) => {
        const message = JSON.parse(data);
        if (message.type === "breakpoints") told.push(message);
      },
      bufferedAmount: () => 0,
      terminate: () => {},
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 60));
    try {
      const { breakpoint } = codeMonitoring.autoRegister(location(1));
      codeMonitoring.sdkCheckedIn("checkout");
      await settle();
      const afterFirst = told.length;
      expect(afterFirst).toBeGreaterThan(0);
      // A check-in the page waits for nothing from: not published.
      codeMonitoring.sdkCheckedIn("checkout");
      await settle();
      expect(told.length).toBe(afterFirst);
      // Edited: the page shows it awaiting the next check-in, which must reach it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      codeMonitoring.updateBreakpoint(breakpoint.id, { enabled: false });
      await settle();
      const afterEdit = told.length;
      codeMonitoring.sdkCheckedIn("checkout");
      await settle();
      expect(told.length).toBe(afterEdit + 1);
      const last = told.at(-1) as (typeof told)[number];
      expect(Date.parse(last.lastCheckIns.checkout as string)).toBeGreaterThanOrEqual(
        Date.parse(last.breakpoints[0]?.updatedAt as string),
      );
    } finally {
      close();
    }
  });
});

describe("code monitoring with a --db file", () => {
  it("still tells when the kill switch changed after a restart", () => {
    const path = `${dir.path}/kill-switch.db`;
    const T = Date.parse("2026-12-02T10:00:00Z");
    const run = (now: number) => {
      const db = new Driver(path);
      const store = createSqliteCodeMonitoringStore(db as unknown as SqliteDatabase);
      const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
      const streams = createSdkStreams();
      const codeMonitoring = createCodeMonitoring({ store, hub, streams, now: () => now });
      return {
        codeMonitoring,
        close() {
          codeMonitoring.close();
          streams.close();
          hub.close();
          db.close();
        },
      };
    };
    const first = run(T);
    first.codeMonitoring.setKillSwitch(true);
    first.close();
    const second = run(T + 3_600_000);
    try {
      expect(second.codeMonitoring.state()).toMatchObject({
        killSwitch: true,
        killSwitchChangedAt: new Date(T).toISOString(),
      });
    } finally {
      second.close();
    }
  });

  it("lives through an expiry whose read of the file fails, and tells the SDK once the file reads again", async () => {
    const db = new Driver(`${dir.path}/expiry.db`);
    const store = createSqliteCodeMonitoringStore(db as unknown as SqliteDatabase);
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
    const streams = createSdkStreams();
    const events: CodeMonitoringEvent[] = [];
    const codeMonitoring = createCodeMonitoring({
      store,
      hub,
      streams,
      expiryRetryMs: 100,
      onEvent: (event) => events.push(event),
    });
    const deferred = () => events.filter((event) => event.type === "expiry-deferred");
    const told: { event: string; data: { id: string; enabled: boolean } }[] = [];
    streams.add("checkout", {
      send(event, data) {
        if (event === "breakpoint_updated") told.push({ event, data: JSON.parse(data) });
        return 0;
      },
      close() {},
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const made = codeMonitoring.createBreakpoint({
        ...location(7),
        condition: "",
        maxCaptures: 0,
        expireAt: Date.now() + 60,
        enabled: true,
      });
      // The file cannot be read when the breakpoint expires: a table gone from under the store.
      db.exec("ALTER TABLE cm_breakpoints RENAME TO cm_breakpoints_away");
      // Timers run late on a busy machine: wait for the first try, then for a few retries after it.
      await expect.poll(() => deferred().length, { timeout: 10_000 }).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(uncaught).toEqual([]);
      expect(told).toEqual([]);
      // The terminal is told why, once however often it is tried again.
      expect(deferred()).toEqual([
        {
          type: "expiry-deferred",
          reason: "the store could not read its file (no such table: cm_breakpoints)",
          retryMs: 100,
        },
      ]);
      db.exec("ALTER TABLE cm_breakpoints_away RENAME TO cm_breakpoints");
      await expect.poll(() => told.length, { timeout: 10_000 }).toBe(1);
      expect(uncaught).toEqual([]);
      expect(told.map(({ data }) => data.id)).toEqual([made.id]);
      expect(deferred()).toHaveLength(1);

      // Once it read again, a later expiry that cannot is told again.
      codeMonitoring.createBreakpoint({
        ...location(8),
        condition: "",
        maxCaptures: 0,
        expireAt: Date.now() + 60,
        enabled: true,
      });
      db.exec("ALTER TABLE cm_breakpoints RENAME TO cm_breakpoints_away");
      await expect.poll(() => deferred().length, { timeout: 10_000 }).toBe(2);
      db.exec("ALTER TABLE cm_breakpoints_away RENAME TO cm_breakpoints");
    } finally {
      process.off("uncaughtException", onUncaught);
      codeMonitoring.close();
      streams.close();
      hub.close();
      db.close();
    }
  });
});

function setupWithHub() {
  const store = createMemoryCodeMonitoringStore();
  const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [], tickMs: 10 });
  const streams = createSdkStreams();
  const codeMonitoring = createCodeMonitoring({ store, hub, streams, maxBreakpoints: 100 });
  return {
    hub,
    codeMonitoring,
    close() {
      codeMonitoring.close();
      streams.close();
      hub.close();
    },
  };
}
