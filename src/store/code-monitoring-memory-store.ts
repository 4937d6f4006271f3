import {
  type Breakpoint,
  locationKey,
  type SdkEvent,
  type Snapshot,
  type SnapshotSummary,
  snapshotSummary,
} from "../domain/code-monitoring.js";
import { type SdkPause, storedSdkPause } from "../domain/sdk-pause.js";
import {
  type CodeMonitoringBounds,
  type CodeMonitoringStore,
  DEFAULT_CODE_MONITORING_BOUNDS,
  type SnapshotQuery,
  snapshotJson,
} from "./code-monitoring-store.js";
import { decodeSnapshotCursor, encodeSnapshotCursor } from "./snapshot-cursor.js";

interface StoredSnapshot {
  seq: number;
  snapshot: Snapshot;
  bytes: number;
}

/** The default code-monitoring store: everything in memory, gone on restart. */
export function createMemoryCodeMonitoringStore(
  bounds: CodeMonitoringBounds = DEFAULT_CODE_MONITORING_BOUNDS,
): CodeMonitoringStore {
  const breakpoints = new Map<string, Breakpoint>();
  const idByLocation = new Map<string, string>();
  let killSwitch = false;
  let killSwitchChangedAt: number | null = null;
  /** Oldest first; entries before `head` are evicted and dropped at the next compaction. */
  let snapshots: StoredSnapshot[] = [];
  let head = 0;
  const byId = new Map<string, StoredSnapshot>();
  const byTrace = new Map<string, StoredSnapshot[]>();
  let nextSeq = 1;
  let evictedSnapshots = 0;
  let retainedBytes = 0;
  let events: SdkEvent[] = [];
  const pauses = new Map<string, SdkPause>();
  const lastCaptures = new Map<string, number>();
  const checkIns = new Map<string, number>();

  function evictOldest(): void {
    const oldest = snapshots[head++] as StoredSnapshot;
    byId.delete(oldest.snapshot.id);
    retainedBytes -= oldest.bytes;
    const traceId = oldest.snapshot.traceId;
    if (traceId !== null) {
      const list = byTrace.get(traceId);
      const rest = list?.filter((entry) => entry !== oldest) ?? [];
      if (rest.length === 0) byTrace.delete(traceId);
      else byTrace.set(traceId, rest);
    }
    evictedSnapshots++;
    if (head > 1024 && head * 2 > snapshots.length) {
      snapshots = snapshots.slice(head);
      head = 0;
    }
  }

  function getBreakpoint(id: string): Breakpoint | undefined {
    const breakpoint = breakpoints.get(id);
    return breakpoint === undefined ? undefined : { ...breakpoint };
  }

  function saveBreakpoint(breakpoint: Breakpoint): void {
    const previous = breakpoints.get(breakpoint.id);
    if (previous !== undefined) idByLocation.delete(locationKey(previous));
    breakpoints.set(breakpoint.id, { ...breakpoint });
    idByLocation.set(locationKey(breakpoint), breakpoint.id);
  }

  function matches(snapshot: Snapshot, query: SnapshotQuery): boolean {
    return (
      (query.service === undefined || snapshot.service === query.service) &&
      (query.breakpointId === undefined || snapshot.breakpointId === query.breakpointId) &&
      (query.traceId === undefined || snapshot.traceId === query.traceId) &&
      (query.label === undefined || snapshot.label === query.label)
    );
  }

  return {
    listBreakpoints: () => [...breakpoints.values()].map((b) => ({ ...b })),
    getBreakpoint,
    findBreakpoint(key) {
      const id = idByLocation.get(key);
      return id === undefined ? undefined : getBreakpoint(id);
    },
    saveBreakpoint,
    deleteBreakpoint(id) {
      const breakpoint = breakpoints.get(id);
      if (breakpoint === undefined) return false;
      breakpoints.delete(id);
      idByLocation.delete(locationKey(breakpoint));
      return true;
    },

    killSwitch: () => killSwitch,
    killSwitchChangedAt: () => killSwitchChangedAt,
    setKillSwitch(enabled, changedAt) {
      killSwitch = enabled;
      if (changedAt !== undefined) killSwitchChangedAt = changedAt;
    },

    insertSnapshot(snapshot, countedBreakpoint) {
      const json = snapshotJson(snapshot);
      const entry: StoredSnapshot = { seq: nextSeq++, snapshot, bytes: json.summary.length + json.detail.length };
      snapshots.push(entry);
      retainedBytes += entry.bytes;
      byId.set(snapshot.id, entry);
      if (snapshot.traceId !== null) {
        const list = byTrace.get(snapshot.traceId);
        if (list === undefined) byTrace.set(snapshot.traceId, [entry]);
        else list.push(entry);
      }
      if (countedBreakpoint !== undefined) saveBreakpoint(countedBreakpoint);
      while (
        snapshots.length - head > 1 &&
        (snapshots.length - head > bounds.maxSnapshots || retainedBytes > bounds.maxSnapshotBytes)
      ) {
        evictOldest();
      }
    },
    listSnapshots(query) {
      const before = query.cursor === undefined ? Number.POSITIVE_INFINITY : decodeSnapshotCursor(query.cursor);
      const found: SnapshotSummary[] = [];
      let lastSeq = 0;
      for (let i = snapshots.length - 1; i >= head; i--) {
        const entry = snapshots[i] as StoredSnapshot;
        if (entry.seq >= before || !matches(entry.snapshot, query)) continue;
        if (found.length === query.limit) return { snapshots: found, nextCursor: encodeSnapshotCursor(lastSeq) };
        found.push(snapshotSummary(entry.snapshot));
        lastSeq = entry.seq;
      }
      return { snapshots: found };
    },
    getSnapshot: (id) => byId.get(id)?.snapshot,
    snapshotsOfTrace: (traceId) => (byTrace.get(traceId) ?? []).map((entry) => snapshotSummary(entry.snapshot)),

    insertSdkEvents(added) {
      events.push(...added);
      if (events.length > bounds.maxSdkEvents) events = events.slice(events.length - bounds.maxSdkEvents);
    },
    listSdkEvents: (limit) => events.slice(-limit).reverse(),

    listSdkPauses: () =>
      [...pauses].flatMap(([service, kept]) => {
        const pause = storedSdkPause(kept);
        return pause === null ? [] : [{ service, pause }];
      }),
    saveSdkPause(service, pause) {
      pauses.set(service, { ...pause });
    },
    deleteSdkPause(service) {
      pauses.delete(service);
    },

    listLastCaptures: () => [...lastCaptures].map(([service, at]) => ({ service, at })),
    saveLastCapture(service, at) {
      lastCaptures.set(service, at);
    },
    deleteLastCapture(service) {
      lastCaptures.delete(service);
    },

    listCheckIns: () => [...checkIns].map(([service, at]) => ({ service, at })),
    saveCheckIn(service, at) {
      checkIns.set(service, at);
    },
    deleteCheckIn(service) {
      checkIns.delete(service);
    },

    clearCaptured() {
      snapshots = [];
      head = 0;
      retainedBytes = 0;
      byId.clear();
      byTrace.clear();
      events = [];
    },
    stats: () => ({
      breakpoints: breakpoints.size,
      snapshots: snapshots.length - head,
      evictedSnapshots,
      sdkEvents: events.length,
    }),
    close() {},
  };
}
