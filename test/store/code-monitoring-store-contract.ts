import { afterEach, describe, expect, it } from "vitest";
import { type Breakpoint, locationKey, type SdkEvent, type Snapshot } from "../../src/domain/code-monitoring.js";
import { AppError } from "../../src/domain/errors.js";
import type { CodeMonitoringBounds, CodeMonitoringStore } from "../../src/store/code-monitoring-store.js";

export type CodeMonitoringStoreFactory = (
  bounds: CodeMonitoringBounds,
) => CodeMonitoringStore | Promise<CodeMonitoringStore>;

const T0 = Date.UTC(2026, 0, 1);

export function breakpoint(n: number, overrides: Partial<Breakpoint> = {}): Breakpoint {
  return {
    id: `bp-${n}`,
    service: "checkout",
    filePath: "/app/checkout.py",
    functionName: "pay",
    label: `label-${n}`,
    lineNumber: 10 + n,
    condition: "",
    maxCaptures: 0,
    captureCount: 0,
    expireAt: null,
    enabled: false,
    origin: "auto",
    createdAt: T0 + n,
    updatedAt: T0 + n,
    lastCapturedAt: null,
    heardAt: null,
    calledFrom: null,
    ...overrides,
  };
}

export function snapshot(n: number, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    id: `snap-${n}`,
    breakpointId: "bp-1",
    service: "checkout",
    filePath: "/app/checkout.py",
    functionName: "pay",
    label: "label-1",
    lineNumber: 11,
    capturedAt: new Date(T0 + n * 1000).toISOString(),
    receivedAt: T0 + n * 1000,
    traceId: null,
    spanId: null,
    securityFlagCount: 1,
    variableNames: ["cart", "user"],
    variables: { cart: { items: [1, 2, { deep: [true, null, "x"] }] }, user: "[REDACTED:email]" },
    securityFlags: [{ type: "sensitive_data_[REDACTED:email]", severity: "high", variable: "user" }],
    stackTrace: "pay at /app/checkout.py:11\nmain at /app/main.py:3",
    requestContext: { method: "POST", path: "/checkout", headers: { "content-type": "application/json" } },
    calledFrom: null,
    ...overrides,
  };
}

function event(n: number): SdkEvent {
  return { id: `ev-${n}`, service: "checkout", type: "circuit_breaker_tripped", receivedAt: T0 + n, data: { n } };
}

const ids = (list: { id: string }[]) => list.map((item) => item.id);

/** The behaviour every CodeMonitoringStore must have; each implementation's test file runs it. */
export function describeCodeMonitoringStoreContract(name: string, make: CodeMonitoringStoreFactory): void {
  describe(`${name}: CodeMonitoringStore contract`, () => {
    const open: CodeMonitoringStore[] = [];
    async function fresh(bounds: Partial<CodeMonitoringBounds> = {}): Promise<CodeMonitoringStore> {
      const store = await make({ maxSnapshots: 10_000, maxSnapshotBytes: 1 << 30, maxSdkEvents: 1000, ...bounds });
      open.push(store);
      return store;
    }
    afterEach(() => {
      for (const store of open.splice(0)) store.close();
    });

    it("keeps breakpoints in creation order, by id and by location", async () => {
      const store = await fresh();
      store.saveBreakpoint(breakpoint(1));
      store.saveBreakpoint(breakpoint(2, { enabled: true, expireAt: T0 + 5000, condition: "x > 1" }));
      expect(ids(store.listBreakpoints())).toEqual(["bp-1", "bp-2"]);
      expect(store.getBreakpoint("bp-2")).toEqual(
        breakpoint(2, { enabled: true, expireAt: T0 + 5000, condition: "x > 1" }),
      );
      expect(store.findBreakpoint(locationKey(breakpoint(1)))?.id).toBe("bp-1");
      expect(store.getBreakpoint("nope")).toBeUndefined();
      expect(store.stats().breakpoints).toBe(2);
    });

    it("replaces a breakpoint in place and moves its location", async () => {
      const store = await fresh();
      store.saveBreakpoint(breakpoint(1));
      store.saveBreakpoint(breakpoint(2));
      const relabelled = breakpoint(1, { label: "renamed", enabled: true });
      store.saveBreakpoint(relabelled);
      expect(ids(store.listBreakpoints())).toEqual(["bp-1", "bp-2"]);
      expect(store.findBreakpoint(locationKey(breakpoint(1)))).toBeUndefined();
      expect(store.findBreakpoint(locationKey(relabelled))).toEqual(relabelled);
      // What a caller changes on a returned object does not reach the store.
      const copy = store.getBreakpoint("bp-1") as Breakpoint;
      copy.enabled = false;
      expect(store.getBreakpoint("bp-1")?.enabled).toBe(true);
    });

    it("deletes a breakpoint and its location, once", async () => {
      const store = await fresh();
      store.saveBreakpoint(breakpoint(1));
      expect(store.deleteBreakpoint("bp-1")).toBe(true);
      expect(store.deleteBreakpoint("bp-1")).toBe(false);
      expect(store.findBreakpoint(locationKey(breakpoint(1)))).toBeUndefined();
      expect(store.listBreakpoints()).toEqual([]);
    });

    it("keeps the kill switch, and when it last changed where told", async () => {
      const store = await fresh();
      expect(store.killSwitch()).toBe(false);
      expect(store.killSwitchChangedAt()).toBeNull();
      store.setKillSwitch(true);
      expect(store.killSwitch()).toBe(true);
      expect(store.killSwitchChangedAt()).toBeNull();
      store.setKillSwitch(false, T0 + 5_000);
      expect(store.killSwitchChangedAt()).toBe(T0 + 5_000);
      // The same value told again, without a time, leaves the time as it was.
      store.setKillSwitch(false);
      expect(store.killSwitchChangedAt()).toBe(T0 + 5_000);
    });

    it("keeps a snapshot whole and counts it on its breakpoint in the same write", async () => {
      const store = await fresh();
      store.saveBreakpoint(breakpoint(1, { enabled: true }));
      const calledFrom = { filePath: "/app/views.py", functionName: "checkout", lineNumber: 88 };
      const counted = breakpoint(1, { enabled: true, captureCount: 1, lastCapturedAt: T0 + 1000, calledFrom });
      store.insertSnapshot(snapshot(1, { calledFrom }), counted);
      expect(store.getSnapshot("snap-1")).toEqual(snapshot(1, { calledFrom }));
      expect(store.getBreakpoint("bp-1")).toEqual(counted);
      expect(store.getSnapshot("snap-unknown")).toBeUndefined();
      const [row] = store.listSnapshots({ limit: 10 }).snapshots;
      expect(row).toEqual({
        id: "snap-1",
        breakpointId: "bp-1",
        service: "checkout",
        filePath: "/app/checkout.py",
        functionName: "pay",
        label: "label-1",
        lineNumber: 11,
        capturedAt: snapshot(1).capturedAt,
        receivedAt: snapshot(1).receivedAt,
        traceId: null,
        spanId: null,
        securityFlagCount: 1,
        variableNames: ["cart", "user"],
        calledFrom,
      });
    });

    it("lists snapshots newest first, filtered, a page at a time", async () => {
      const store = await fresh();
      const trace = "0af7651916cd43dd8448eb211c80319c";
      for (let n = 1; n <= 7; n++) {
        store.insertSnapshot(
          snapshot(n, {
            service: n % 2 === 0 ? "billing" : "checkout",
            label: n <= 3 ? "early" : "late",
            breakpointId: n === 5 ? "bp-5" : "bp-1",
            traceId: n >= 6 ? trace : null,
          }),
        );
      }
      expect(ids(store.listSnapshots({ limit: 100 }).snapshots)).toEqual([
        "snap-7",
        "snap-6",
        "snap-5",
        "snap-4",
        "snap-3",
        "snap-2",
        "snap-1",
      ]);
      expect(ids(store.listSnapshots({ limit: 100, service: "billing" }).snapshots)).toEqual([
        "snap-6",
        "snap-4",
        "snap-2",
      ]);
      expect(ids(store.listSnapshots({ limit: 100, label: "early", service: "checkout" }).snapshots)).toEqual([
        "snap-3",
        "snap-1",
      ]);
      expect(ids(store.listSnapshots({ limit: 100, breakpointId: "bp-5" }).snapshots)).toEqual(["snap-5"]);
      expect(ids(store.listSnapshots({ limit: 100, traceId: trace }).snapshots)).toEqual(["snap-7", "snap-6"]);

      const pages: string[][] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = store.listSnapshots({ limit: 3, service: "checkout", ...(cursor ? { cursor } : {}) });
        pages.push(ids(page.snapshots));
        cursor = page.nextCursor;
        if (cursor === undefined) break;
      }
      expect(pages).toEqual([["snap-7", "snap-5", "snap-3"], ["snap-1"]]);
      // An exact multiple of the page size ends without an empty extra page.
      const exact = store.listSnapshots({ limit: 3, service: "billing" });
      expect(ids(exact.snapshots)).toEqual(["snap-6", "snap-4", "snap-2"]);
      expect(exact.nextCursor).toBeUndefined();
    });

    it("finds a trace's snapshots, oldest first", async () => {
      const store = await fresh();
      const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
      store.insertSnapshot(snapshot(1, { traceId: trace, spanId: "00f067aa0ba902b7" }));
      store.insertSnapshot(snapshot(2));
      store.insertSnapshot(snapshot(3, { traceId: trace }));
      expect(ids(store.snapshotsOfTrace(trace))).toEqual(["snap-1", "snap-3"]);
      expect(store.snapshotsOfTrace(trace)[0]?.spanId).toBe("00f067aa0ba902b7");
      expect(store.snapshotsOfTrace("ffffffffffffffffffffffffffffffff")).toEqual([]);
    });

    it("evicts the oldest snapshots past its bound and counts them", async () => {
      const store = await fresh({ maxSnapshots: 3 });
      const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
      for (let n = 1; n <= 5; n++) store.insertSnapshot(snapshot(n, { traceId: n === 1 ? trace : null }));
      expect(ids(store.listSnapshots({ limit: 10 }).snapshots)).toEqual(["snap-5", "snap-4", "snap-3"]);
      expect(store.getSnapshot("snap-1")).toBeUndefined();
      expect(store.snapshotsOfTrace(trace)).toEqual([]);
      expect(store.stats()).toMatchObject({ snapshots: 3, evictedSnapshots: 2 });
    });

    it("evicts the oldest snapshots while they pass the byte bound, but never the newest", async () => {
      const big = (n: number) => snapshot(n, { stackTrace: "x".repeat(10_000) });
      const store = await fresh({ maxSnapshotBytes: 25_000 });
      for (let n = 1; n <= 4; n++) store.insertSnapshot(big(n));
      expect(ids(store.listSnapshots({ limit: 10 }).snapshots)).toEqual(["snap-4", "snap-3"]);
      expect(store.stats()).toMatchObject({ snapshots: 2, evictedSnapshots: 2 });
      store.insertSnapshot(snapshot(5, { stackTrace: "y".repeat(30_000) }));
      expect(ids(store.listSnapshots({ limit: 10 }).snapshots)).toEqual(["snap-5"]);
      store.insertSnapshot(snapshot(6));
      expect(ids(store.listSnapshots({ limit: 10 }).snapshots)).toEqual(["snap-6"]);
      expect(store.stats()).toMatchObject({ snapshots: 1, evictedSnapshots: 5 });
    });

    it("keeps the newest SDK events up to its bound, newest first", async () => {
      const store = await fresh({ maxSdkEvents: 3 });
      store.insertSdkEvents([event(1), event(2)]);
      store.insertSdkEvents([event(3), event(4)]);
      expect(store.listSdkEvents(10)).toEqual([event(4), event(3), event(2)]);
      expect(store.listSdkEvents(1)).toEqual([event(4)]);
      expect(store.stats().sdkEvents).toBe(3);
    });

    it("keeps each service's SDK pause, replaced or deleted by service", async () => {
      const store = await fresh();
      const pause = { since: 1_000, until: 301_000, failures: 3, windowSeconds: 60 };
      store.saveSdkPause("checkout", pause);
      store.saveSdkPause("users", { ...pause, failures: null, windowSeconds: null });
      store.saveSdkPause("checkout", { ...pause, until: 2_000 });
      const byService = () => store.listSdkPauses().sort((a, b) => (a.service < b.service ? -1 : 1));
      expect(byService()).toEqual([
        { service: "checkout", pause: { ...pause, until: 2_000 } },
        { service: "users", pause: { ...pause, failures: null, windowSeconds: null } },
      ]);
      store.deleteSdkPause("users");
      store.deleteSdkPause("unknown");
      expect(byService().map((p) => p.service)).toEqual(["checkout"]);
    });

    it("keeps each service's last capture, replaced or deleted by service, through clearCaptured", async () => {
      const store = await fresh();
      store.saveLastCapture("checkout", 1_000);
      store.saveLastCapture("users", 2_000);
      store.saveLastCapture("checkout", 3_000);
      store.deleteLastCapture("users");
      store.deleteLastCapture("unknown");
      store.saveLastCapture("@acme/shop", 4_000);
      store.clearCaptured();
      expect(store.listLastCaptures().sort((a, b) => a.at - b.at)).toEqual([
        { service: "checkout", at: 3_000 },
        { service: "@acme/shop", at: 4_000 },
      ]);
    });

    it("keeps each service's last check-in, replaced or deleted by service, through clearCaptured", async () => {
      const store = await fresh();
      expect(store.listCheckIns()).toEqual([]);
      store.saveCheckIn("checkout", 1_000);
      store.saveCheckIn("users", 2_000);
      store.saveCheckIn("checkout", 3_000);
      store.deleteCheckIn("users");
      store.deleteCheckIn("unknown");
      store.clearCaptured();
      expect(store.listCheckIns()).toEqual([{ service: "checkout", at: 3_000 }]);
    });

    it("gives back alike from both stores a pause it could not tell: left out, or ended a day after it began", async () => {
      const store = await fresh();
      const pause = { since: 1_000, until: 301_000, failures: 3, windowSeconds: 60 };
      store.saveSdkPause("endless", { ...pause, until: Number.POSITIVE_INFINITY });
      store.saveSdkPause("unwritable", { ...pause, since: 1e16, until: 1e16 + 1 });
      store.saveSdkPause("backwards", { ...pause, until: 0 });
      store.saveSdkPause("long", { ...pause, until: 1_000 + 1e13 * 1000, failures: -1 });
      expect(store.listSdkPauses()).toEqual([
        { service: "long", pause: { ...pause, until: 1_000 + 86_400_000, failures: null } },
      ]);
    });

    it("clears snapshots and SDK events but keeps breakpoints, the kill switch and SDK pauses", async () => {
      const store = await fresh();
      store.saveBreakpoint(breakpoint(1));
      store.setKillSwitch(true);
      store.saveSdkPause("checkout", { since: 1_000, until: 301_000, failures: 3, windowSeconds: 60 });
      store.insertSnapshot(snapshot(1, { traceId: "4bf92f3577b34da6a3ce929d0e0e4736" }));
      store.insertSdkEvents([event(1)]);
      store.clearCaptured();
      expect(store.listSnapshots({ limit: 10 }).snapshots).toEqual([]);
      expect(store.snapshotsOfTrace("4bf92f3577b34da6a3ce929d0e0e4736")).toEqual([]);
      expect(store.listSdkEvents(10)).toEqual([]);
      expect(ids(store.listBreakpoints())).toEqual(["bp-1"]);
      expect(store.killSwitch()).toBe(true);
      expect(store.stats()).toMatchObject({ breakpoints: 1, snapshots: 0, sdkEvents: 0 });
      expect(store.listSdkPauses().map((p) => p.service)).toEqual(["checkout"]);
      store.insertSnapshot(snapshot(2));
      expect(ids(store.listSnapshots({ limit: 10 }).snapshots)).toEqual(["snap-2"]);
    });

    it("rejects a cursor it did not issue with a 400", async () => {
      const store = await fresh();
      expect(() => store.listSnapshots({ limit: 10, cursor: "abc" })).toThrow(AppError);
    });
  });
}
