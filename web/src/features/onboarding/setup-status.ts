/**
 * The set-up page's status line: what this instance has really received, so `/setup` opened with
 * traces stored never claims to be waiting for the first one.
 */
import type { LiveStatus } from "../../api/live";
import { formatCount, formatRelative } from "../../lib/format";

export interface StoredData {
  traces: number;
  logs: number;
  metricSeries: number;
  /** The newest trace by start time, when there is one. */
  newest: { name: string; service: string; startMs: number } | null;
}

export interface SetupStatus {
  /** `waiting`: nothing yet (the dot pulses); `stored`: data is here; `offline`: no connection. */
  tone: "waiting" | "stored" | "offline";
  text: string;
}

export const WAITING_TEXT = "Waiting for the first trace… this page updates by itself.";

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "236 log records and 56 metric series", or "" when neither is stored. */
function otherSignals(data: StoredData): string {
  const parts = [
    data.logs > 0 ? plural(data.logs, "log record", "log records") : "",
    data.metricSeries > 0 ? plural(data.metricSeries, "metric series", "metric series") : "",
  ].filter((part) => part !== "");
  return parts.join(" and ");
}

/**
 * `stored` is null until the server has answered once. A connection that is not open once something
 * was read is a lost one (reconnecting alternates "connecting" and "closed"); before that, a first one.
 */
export function setupStatus(connection: LiveStatus, stored: StoredData | null, nowMs: number): SetupStatus {
  if (connection === "closed" || (connection === "connecting" && stored !== null)) {
    return { tone: "offline", text: "Not connected to tracekit-local: is it still running? Retrying…" };
  }
  if (stored === null) return { tone: "waiting", text: "Checking what this instance has received…" };
  const others = otherSignals(stored);
  if (stored.traces === 0) {
    return {
      tone: "waiting",
      text: others === "" ? WAITING_TEXT : `${others} stored, but no trace yet. ${WAITING_TEXT}`,
    };
  }
  const newest = stored.newest
    ? ` The newest, ${stored.newest.name} from ${stored.newest.service}, started ${formatRelative(stored.newest.startMs, nowMs)}.`
    : "";
  const traces = plural(stored.traces, "trace", "traces");
  return {
    tone: "stored",
    text: `${others === "" ? traces : `${traces}, ${others}`} stored so far.${newest} This line updates by itself as more arrive.`,
  };
}
