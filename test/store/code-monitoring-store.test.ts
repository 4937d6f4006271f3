import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { snapshotSummaryToJson } from "../../src/protocol-json.js";
import { createMemoryCodeMonitoringStore } from "../../src/store/code-monitoring-memory-store.js";
import { openStores } from "../../src/store/open-store.js";
import { tempDir } from "../helpers/app.js";
import { breakpoint, describeCodeMonitoringStoreContract, snapshot } from "./code-monitoring-store-contract.js";
import { rootSpan, traceId } from "./span-fixtures.js";

const dir = tempDir();
afterAll(() => dir.remove());
let files = 0;
const tempPath = () => `${dir.path}/code-monitoring-${++files}.db`;

describeCodeMonitoringStoreContract("memory", (bounds) => createMemoryCodeMonitoringStore(bounds));

describeCodeMonitoringStoreContract("sqlite", async (bounds) => {
  // Both stores in one file, as --db opens them; closing the span store closes the companion too.
  const { store, codeMonitoring } = await openStores({ dbPath: tempPath(), maxSpans: 1000, codeMonitoring: bounds });
  return {
    ...codeMonitoring,
    close() {
      store.close();
    },
  };
});

describe("sqlite: code monitoring in the --db file", () => {
  it("keeps breakpoints, the kill switch, snapshots and SDK events across a restart, beside the spans", async () => {
    const path = tempPath();
    const bounds = { maxSnapshots: 2, maxSnapshotBytes: 1 << 20, maxSdkEvents: 10 };
    let opened = await openStores({ dbPath: path, maxSpans: 1000, codeMonitoring: bounds });
    opened.store.insertSpans([rootSpan(1)]);
    opened.codeMonitoring.saveBreakpoint(breakpoint(1, { enabled: true, captureCount: 3 }));
    opened.codeMonitoring.setKillSwitch(true, 1_700_000_000_123);
    for (let n = 1; n <= 3; n++) opened.codeMonitoring.insertSnapshot(snapshot(n, { traceId: traceId(1) }));
    opened.codeMonitoring.insertSdkEvents([
      { id: "ev-1", service: "checkout", type: "circuit_breaker_tripped", receivedAt: 1, data: { failure_count: 3 } },
    ]);
    const pause = { since: 1, until: 300_001, failures: 3, windowSeconds: 60 };
    opened.codeMonitoring.saveSdkPause("checkout", pause);
    opened.store.close();

    // The span store still opens a file that has the code-monitoring tables, and both come back.
    opened = await openStores({ dbPath: path, maxSpans: 1000, codeMonitoring: bounds });
    try {
      expect(opened.store.stats()).toMatchObject({ spans: 1, traces: 1 });
      expect(opened.store.getTrace(traceId(1))).toHaveLength(1);
      expect(opened.codeMonitoring.listBreakpoints()).toEqual([breakpoint(1, { enabled: true, captureCount: 3 })]);
      expect(opened.codeMonitoring.killSwitch()).toBe(true);
      expect(opened.codeMonitoring.killSwitchChangedAt()).toBe(1_700_000_000_123);
      expect(opened.codeMonitoring.getSnapshot("snap-3")).toEqual(snapshot(3, { traceId: traceId(1) }));
      expect(opened.codeMonitoring.snapshotsOfTrace(traceId(1)).map((s) => s.id)).toEqual(["snap-2", "snap-3"]);
      expect(opened.codeMonitoring.stats()).toEqual({
        breakpoints: 1,
        snapshots: 2,
        evictedSnapshots: 1,
        sdkEvents: 1,
      });
      expect(opened.codeMonitoring.listSdkEvents(10)[0]?.data).toEqual({ failure_count: 3 });
      expect(opened.codeMonitoring.listSdkPauses()).toEqual([{ service: "checkout", pause }]);
    } finally {
      opened.store.close();
    }
  });

  it("reads breakpoints and snapshots written before the caller was kept as having none", async () => {
    const path = tempPath();
    const bounds = { maxSnapshots: 10, maxSnapshotBytes: 1 << 20, maxSdkEvents: 10 };
    const calledFrom = { filePath: "/app/views.py", functionName: "checkout", lineNumber: 88 };
    let opened = await openStores({ dbPath: path, maxSpans: 1000, codeMonitoring: bounds });
    opened.codeMonitoring.insertSnapshot(snapshot(1, { calledFrom }), breakpoint(1, { calledFrom }));
    opened.store.close();
    // As an earlier version wrote them: the same JSON without the field.
    const db = new Database(path);
    db.prepare("UPDATE cm_breakpoints SET body = json_remove(body, '$.calledFrom')").run();
    db.prepare("UPDATE cm_snapshots SET summary = json_remove(summary, '$.calledFrom')").run();
    db.close();

    opened = await openStores({ dbPath: path, maxSpans: 1000, codeMonitoring: bounds });
    try {
      expect(opened.codeMonitoring.getBreakpoint("bp-1")).toEqual(breakpoint(1));
      const [row] = opened.codeMonitoring.listSnapshots({ limit: 10 }).snapshots;
      expect(snapshotSummaryToJson(row!).calledFrom).toBeNull();
    } finally {
      opened.store.close();
    }
  });

  it("reads a hand-edited time that is no whole unix ms a Date can hold as unknown", async () => {
    const path = tempPath();
    let opened = await openStores({ dbPath: path, maxSpans: 1000 });
    opened.codeMonitoring.setKillSwitch(true, 1_700_000_000_000);
    opened.codeMonitoring.saveCheckIn("shop", 1_700_000_000_000);
    opened.codeMonitoring.saveCheckIn("cart", 1_700_000_000_000);
    opened.codeMonitoring.saveCheckIn("users", 1_700_000_000_000);
    opened.codeMonitoring.saveLastCapture("shop", 1_700_000_000_000);
    opened.codeMonitoring.saveLastCapture("cart", 1_700_000_000_000);
    opened.store.close();
    const db = new Database(path);
    db.prepare("UPDATE cm_settings SET value = '1700000000000.5' WHERE key = 'kill_switch_changed_at'").run();
    db.prepare("UPDATE cm_check_ins SET at = 1700000000000.5 WHERE service = 'shop'").run();
    db.prepare("UPDATE cm_check_ins SET at = 1e300 WHERE service = 'cart'").run();
    db.prepare("UPDATE cm_last_captures SET at = 9007199254740991 WHERE service = 'cart'").run();
    db.close();

    opened = await openStores({ dbPath: path, maxSpans: 1000 });
    try {
      // The start's kill-switch line (BigInt) and the page's state (toISOString) take these as they are.
      expect(opened.codeMonitoring.killSwitch()).toBe(true);
      expect(opened.codeMonitoring.killSwitchChangedAt()).toBeNull();
      expect(opened.codeMonitoring.listCheckIns()).toEqual([{ service: "users", at: 1_700_000_000_000 }]);
      expect(opened.codeMonitoring.listLastCaptures()).toEqual([{ service: "shop", at: 1_700_000_000_000 }]);
    } finally {
      opened.store.close();
    }
  });

  it("is closed with the span store", async () => {
    const { store, codeMonitoring } = await openStores({ dbPath: tempPath(), maxSpans: 1000 });
    store.close();
    expect(() => codeMonitoring.listBreakpoints()).toThrow(/closed/);
  });
});
