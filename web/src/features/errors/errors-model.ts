/** What the Errors page draws, as pure functions of GET /api/errors's answer. */
import { frameText } from "../../../../src/domain/error-fingerprint";
import { operationLabel } from "../../../../src/domain/operation-label";
import type { ErrorGroupJson, ErrorGroupsResponse } from "../../../../src/protocol";
import { formatCount } from "../../lib/format";
import { clipText } from "../../lib/long-text";

/**
 * The groups listed with the next page of them (`page`, asked for with `shown`'s `nextCursor`) after
 * them: a group listed already (it moved down since) is not listed twice. The counts are the newest
 * (the page's); the sparklines' axis stays the one the groups listed are drawn on.
 */
export function withNextPage(shown: ErrorGroupsResponse, page: ErrorGroupsResponse): ErrorGroupsResponse {
  const listed = new Set(shown.groups.map((group) => group.id));
  const { nextCursor: _, ...counts } = page;
  return {
    ...counts,
    groups: [...shown.groups, ...page.groups.filter((group) => !listed.has(group.id))],
    ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
    bucketStartUnixNano: shown.bucketStartUnixNano,
    bucketNanos: shown.bucketNanos,
    buckets: shown.buckets,
  };
}

/**
 * A live refresh of the first groups listed (`head`, asked for on `shown`'s axis) with the groups listed
 * after them kept as they were: a refresh asks for a bounded number of groups, not for every one reached.
 * The head's groups take their place (and their newest counts); every other group listed follows, in the
 * order listed (one pushed out of the head by new ones stays reached, right after it).
 * When the head holds every group in the window (no `nextCursor`), nothing more follows it.
 */
export function withRefreshedHead(shown: ErrorGroupsResponse, head: ErrorGroupsResponse): ErrorGroupsResponse {
  if (head.nextCursor === undefined) return head;
  const fresh = new Set(head.groups.map((group) => group.id));
  const { nextCursor: _, ...counts } = head;
  return {
    ...counts,
    groups: [...head.groups, ...shown.groups.filter((group) => !fresh.has(group.id))],
    ...(shown.nextCursor !== undefined ? { nextCursor: shown.nextCursor } : {}),
  };
}

/** The failing span of a trace, opened in the trace view. */
export function failingSpanLink(traceId: string, spanId: string): string {
  return `/traces/${traceId}?span=${spanId}`;
}

/** Where a group leads: its newest trace, on the span that failed. */
export function groupLink(group: ErrorGroupJson): string | null {
  const newest = group.latest[0];
  return newest === undefined ? null : failingSpanLink(newest.traceId, newest.spanId);
}

export interface SparkBar {
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
}

/**
 * One bar per bucket, scaled to the group's own busiest bucket (at least 1 px tall when it has
 * errors, so a lone error shows), in a `width` × `height` box.
 */
export function sparkBars(counts: readonly number[], width: number, height: number): SparkBar[] {
  const max = Math.max(1, ...counts);
  const step = counts.length === 0 ? 0 : width / counts.length;
  return counts.map((count, i) => {
    const h = count === 0 ? 0 : Math.max(1, (count / max) * height);
    return { x: i * step, y: height - h, width: Math.max(step - 1, 1), height: h, count };
  });
}

/** An error message's first line that says something, trimmed ("" when none does). */
export function messageLine(message: string): string {
  return (message.split("\n").find((l) => l.trim() !== "") ?? "").trim();
}

/**
 * The group's headline: the type, then its newest error's message as it was, on one line (the
 * pattern that grouped it replaces the variable parts, the very words that tell errors apart:
 * "HTTP <n>", `"type":"<value>"`). No message when it only repeats the type ("HTTP 500").
 * `pattern` is what grouped it, for the details and a tooltip. Each at most a line's worth.
 */
export function groupTitle(group: ErrorGroupJson): { type: string; message: string; pattern: string } {
  const line = messageLine(group.sample.message);
  const message = line || group.pattern;
  return {
    type: clipText(group.type),
    message: message.toLowerCase() === group.type.toLowerCase() ? "" : clipText(message),
    pattern: clipText(group.pattern || line),
  };
}

/** A grouping frame (`file:function`) as read, as MCP's error_groups reads it. */
export { frameText };

/** Why a group grouped by the runtime's or a library's frames says so: none of them is the app's mistake. */
const LIBRARY_FRAMES_TITLE =
  "The stack trace holds no frame of your code: these errors are grouped by the innermost frames of the runtime's or a library's code, none of which is where your code went wrong";

/**
 * The frame a group's row names (the innermost that grouped it), or null when none did. Frames of the
 * runtime or a library (`libraryFrames`) come with `lead` saying the stack holds no frame of the app's
 * own code, so that a socket closed inside `node:_http_client` does not read as the app's line at fault.
 */
export interface GroupingFrame {
  lead: string | null;
  frame: string;
  title: string;
}

export function groupingFrame(group: Pick<ErrorGroupJson, "frames" | "libraryFrames">): GroupingFrame | null {
  const first = group.frames[0];
  if (first === undefined) return null;
  const frame = clipText(frameText(first));
  return group.libraryFrames
    ? { lead: "no frame of your code · runtime or library: ", frame, title: LIBRARY_FRAMES_TITLE }
    : { lead: null, frame, title: "The innermost frame of your code in the stack trace, which grouped these errors" };
}

/** The heading over the frames that grouped a group, in its details. */
export function groupingFramesHeading(group: Pick<ErrorGroupJson, "libraryFrames">): { text: string; title: string } {
  return group.libraryFrames
    ? { text: "Grouped by the runtime's or a library's frames", title: LIBRARY_FRAMES_TITLE }
    : { text: "Grouped by frames", title: "The innermost frames of your code in the stack trace" };
}

/** One operation a group's errors failed in, as a row names it: "POST /checkout", "POST /api/orders → checkout-api". */
export function failedOperationText(operation: ErrorGroupJson["failedIn"][number]): string {
  return operationLabel(operation);
}

/**
 * Where a group's errors failed, for its row: two groups alike in type and message ("HTTP 500") of
 * one service differ by the span that failed (the server's own answer, or its call to another).
 */
export interface FailurePlace {
  /** The operation most of its errors failed in (failedOperationText), or null when not known. */
  operation: string | null;
  /** That span's kind, lower case ("server", "client"), or null. */
  kind: string | null;
  /** How many other operations its errors failed in. */
  more: number;
  /** Every operation they failed in, with counts, for a tooltip. */
  title: string;
  /**
   * The traces' operation (their root's service and name) when it is not the failing span's own: the
   * request the failure happened inside. "+N" when several.
   */
  within: string | null;
}

export function failurePlace(group: ErrorGroupJson): FailurePlace {
  const [first, ...others] = group.failedIn;
  const root = group.operations[0];
  const rootText =
    root === undefined
      ? null
      : `${clipText(`${root.service} ${root.name}`)}${group.operations.length > 1 ? ` +${group.operations.length - 1}` : ""}`;
  // The failing span is the trace's root itself (its own operation): no "inside" to tell.
  const sameAsRoot =
    first !== undefined &&
    others.length === 0 &&
    group.operations.length === 1 &&
    root?.service === group.service &&
    root.name === first.name;
  return {
    operation: first === undefined ? null : clipText(failedOperationText(first)),
    kind: first === undefined ? null : first.kind.toLowerCase(),
    more: others.length,
    title: group.failedIn
      .map(
        (op) =>
          `${clipText(`${group.service} ${failedOperationText(op)}`)} (${op.kind.toLowerCase()}) ×${formatCount(op.count)}`,
      )
      .join("\n"),
    within: sameAsRoot ? null : rootText,
  };
}

/**
 * A row the keyboard steps through: a group, and, under the open group, each of its newest traces.
 * `traceId` is null on a group's own row.
 */
export interface ErrorKeyRow {
  groupId: string;
  traceId: string | null;
}

/** The rows j/k walk, in the page's order: every shown group, the open one followed by its newest traces. */
export function errorKeyRows(groups: readonly ErrorGroupJson[], openId: string | null): ErrorKeyRow[] {
  const rows: ErrorKeyRow[] = [];
  for (const group of groups) {
    rows.push({ groupId: group.id, traceId: null });
    if (group.id === openId) for (const trace of group.latest) rows.push({ groupId: group.id, traceId: trace.traceId });
  }
  return rows;
}

/**
 * Where the selection is in `rows`: its own row, else its group's (a trace row whose group was closed
 * or whose trace left the newest), else -1 (nothing selected, or its group is no longer shown).
 */
export function errorKeyIndex(rows: readonly ErrorKeyRow[], selected: ErrorKeyRow | null): number {
  if (selected === null) return -1;
  const own = rows.findIndex((row) => row.groupId === selected.groupId && row.traceId === selected.traceId);
  if (own >= 0) return own;
  return rows.findIndex((row) => row.groupId === selected.groupId && row.traceId === null);
}

/** The element id a row is drawn with, for the list's active descendant. */
export function errorKeyRowId(row: ErrorKeyRow): string {
  return row.traceId === null ? `error-group-${row.groupId}` : `error-trace-${row.groupId}-${row.traceId}`;
}
