import {
  type Breakpoint,
  type SdkEvent,
  type Snapshot,
  type SnapshotSummary,
  snapshotSummary,
} from "../domain/code-monitoring.js";
import { stringifyJsonExact } from "../domain/exact-json.js";
import type { SdkPause } from "../domain/sdk-pause.js";

export interface SnapshotQuery {
  service?: string;
  breakpointId?: string;
  traceId?: string;
  label?: string;
  limit: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface SnapshotPage {
  /** Newest first (by arrival). */
  snapshots: SnapshotSummary[];
  nextCursor?: string;
}

export interface CodeMonitoringStats {
  breakpoints: number;
  snapshots: number;
  evictedSnapshots: number;
  sdkEvents: number;
}

export interface CodeMonitoringBounds {
  maxSnapshots: number;
  /** Snapshots are also evicted while their JSON passes this many bytes (1 MiB each could be 10 GB). */
  maxSnapshotBytes: number;
  maxSdkEvents: number;
}

/**
 * Where breakpoints, the kill switch, captured snapshots and SDK events live. Like the span store,
 * it never hands out its internals; the rules (what may capture, what a capture changes) are the
 * caller's, this only keeps what it is given, within its bounds.
 */
export interface CodeMonitoringStore {
  listBreakpoints(): Breakpoint[];
  getBreakpoint(id: string): Breakpoint | undefined;
  /** The breakpoint at this `locationKey`, if any. */
  findBreakpoint(locationKey: string): Breakpoint | undefined;
  /** Inserts or replaces (by id). */
  saveBreakpoint(breakpoint: Breakpoint): void;
  /** False when the id is unknown. Snapshots taken at it are kept. */
  deleteBreakpoint(id: string): boolean;

  killSwitch(): boolean;
  /** When the kill switch last changed (unix ms), kept with it; null when never told. */
  killSwitchChangedAt(): number | null;
  /** `changedAt`, when given, is kept as killSwitchChangedAt in the same write. */
  setKillSwitch(enabled: boolean, changedAt?: number): void;

  /**
   * Keeps a snapshot and, in the same write, the breakpoint it counted toward. Past either bound the
   * oldest snapshots are evicted (and counted); the newest is always kept.
   */
  insertSnapshot(snapshot: Snapshot, countedBreakpoint?: Breakpoint): void;
  listSnapshots(query: SnapshotQuery): SnapshotPage;
  getSnapshot(id: string): Snapshot | undefined;
  /** Summaries of one trace's snapshots, oldest first. */
  snapshotsOfTrace(traceId: string): SnapshotSummary[];

  /** Keeps the newest `maxSdkEvents`. */
  insertSdkEvents(events: readonly SdkEvent[]): void;
  /** Newest first. */
  listSdkEvents(limit: number): SdkEvent[];

  /** Each service's SDK pause as last saved (domain/sdk-pause.ts), in no particular order. */
  listSdkPauses(): { service: string; pause: SdkPause }[];
  /** Inserts or replaces the service's pause. */
  saveSdkPause(service: string, pause: SdkPause): void;
  deleteSdkPause(service: string): void;

  /**
   * When each service's last capture was answered (unix ms), as last saved, in no particular order:
   * it ends a pause its SDK reports later but that began before (domain/sdk-pause.ts endPauseAt).
   */
  listLastCaptures(): { service: string; at: number }[];
  /** Inserts or replaces the service's last capture. */
  saveLastCapture(service: string, at: number): void;
  deleteLastCapture(service: string): void;

  /**
   * When each service's SDK last asked for its breakpoints (unix ms), as last saved, in no particular
   * order: an edit made since reads as not yet heard by it, also after a restart.
   */
  listCheckIns(): { service: string; at: number }[];
  /** Inserts or replaces the service's last check-in. */
  saveCheckIn(service: string, at: number): void;
  deleteCheckIn(service: string): void;

  /**
   * Forgets snapshots and SDK events; breakpoints and the kill switch are configuration and stay, and
   * so do SDK pauses (a paused SDK still captures nothing) and last captures (which end them).
   */
  clearCaptured(): void;
  stats(): CodeMonitoringStats;
  close(): void;
}

export const DEFAULT_CODE_MONITORING_BOUNDS: CodeMonitoringBounds = Object.freeze({
  maxSnapshots: 10_000,
  maxSnapshotBytes: 256 * 1024 * 1024,
  maxSdkEvents: 1_000,
});

/** The parts of a snapshot that only its own page shows. */
export type SnapshotDetail = Pick<Snapshot, "variables" | "securityFlags" | "stackTrace" | "requestContext">;

/** A snapshot as two JSON texts: its list row and the rest. Their length is what the byte bound counts. */
export function snapshotJson(snapshot: Snapshot): { summary: string; detail: string } {
  const { variables, securityFlags, stackTrace, requestContext } = snapshot;
  const detail: SnapshotDetail = { variables, securityFlags, stackTrace, requestContext };
  // Variables and request context may hold bigints (integers past 2^53, kept exact).
  return { summary: JSON.stringify(snapshotSummary(snapshot)), detail: stringifyJsonExact(detail) };
}

/** More than any codebase's capture_snapshot calls; past it creating one is a 409. */
export const MAX_BREAKPOINTS = 1_000;
export const DEFAULT_SNAPSHOT_LIMIT = 50;
export const MAX_SNAPSHOT_LIMIT = 1_000;
