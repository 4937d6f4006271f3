/**
 * The code-monitoring tools: the variable snapshots TraceKit SDKs captured, and the breakpoints that
 * take them, read through the REST API as compact text.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { count } from "../domain/count-text.js";
import {
  type BreakpointState,
  breakpointStatus,
  checkInOverdueSince,
  type SdkContact,
  sdkContactOf,
  sdkSilentSince,
} from "../domain/sdk-contact.js";
import { pauseEnd, pauseLeftText } from "../domain/sdk-pause.js";
import { MASK, type MaskedValue, maskQuerySecrets, maskSecrets } from "../domain/secret-scan.js";
import { describeSecurityFlag } from "../domain/security-flag.js";
import type {
  BreakpointJson,
  BreakpointsResponse,
  CodeLocationJson,
  SnapshotJson,
  SnapshotListResponse,
  SnapshotSummaryJson,
} from "../protocol.js";
import { capAnswer, cut, table } from "./format.js";
import { type RestClient, ToolInputError } from "./rest.js";
import { strictInput } from "./strict-input.js";

/** The stack trace's lines one get_snapshot answer shows at most. */
const STACK_LINES = 40;

const answer = (text: string, howToGetMore: string): CallToolResult => ({
  content: [{ type: "text", text: capAnswer(text, howToGetMore) }],
});

function placeText(place: CodeLocationJson): string {
  const fn = place.functionName === "" ? "(anonymous)" : place.functionName;
  return `${fn} ${place.filePath}:${place.lineNumber}`;
}

/** Where a capture was taken: the app's line that called the SDK when the SDK registered its own. */
export function snapshotPlace(snapshot: SnapshotSummaryJson): string {
  return placeText(snapshot.calledFrom ?? snapshot);
}

/** When, to the second, as UTC: "2026-12-02T12:45:06Z". */
const utcText = (epochMs: number) => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");

/** What list_snapshots adds under its breakpoints once a state that needs it is among them. */
const AWAITING_NOTE =
  "awaiting check-in: the service's SDK has not heard of the breakpoint yet; it does at its next check-in, " +
  "within about 60 s while the app runs.";
const STOPPED_NOTE =
  "no check-in: no SDK of the service listens and its next check-in is overdue, so its app has most likely " +
  "stopped; the breakpoint captures once the app runs again.";

/**
 * A breakpoint's state as the Snapshots page's badge names it (breakpointStatus, in the same order),
 * and what a model cannot hover for, as the page's badge title tells it: `note`, the same for every
 * breakpoint in that state, said once under them.
 */
export function breakpointStateText(
  bp: BreakpointJson,
  killSwitch: boolean,
  nowMs: number,
  contact?: SdkContact,
): { state: string; note?: string } {
  const status = breakpointStatus(bp, nowMs, killSwitch, contact);
  switch (status.state) {
    case "paused": {
      const until = utcText(pauseEnd(status.pause));
      const left = pauseLeftText(status.pause, nowMs);
      return {
        state: `enabled, but its SDK paused capturing until ${until}, ${left} from now (captures it could not send)`,
      };
    }
    case "waiting": {
      const overdue = checkInOverdueSince(bp.service, contact as SdkContact, nowMs, bp.updatedAt);
      if (overdue === null) return { state: "enabled, awaiting check-in", note: AWAITING_NOTE };
      const never = contact?.lastCheckIns[bp.service] === undefined;
      return {
        state: never ? "enabled, no check-in yet" : `enabled, no check-in since ${utcText(overdue)}`,
        note: STOPPED_NOTE,
      };
    }
    case "silent": {
      const since = sdkSilentSince(bp.service, contact as SdkContact, nowMs) as number;
      return { state: `enabled, no check-in since ${utcText(since)}`, note: STOPPED_NOTE };
    }
    default:
      return { state: STATE_TEXT[status.state] };
  }
}

/** The notes of these rows' states, each once, as lines under them. */
function stateNotes(rows: readonly BreakpointRow[]): string[] {
  return [...new Set(rows.flatMap((row) => (row.note === undefined ? [] : [row.note])))];
}

const STATE_TEXT: Record<Exclude<BreakpointState, "paused" | "waiting" | "silent">, string> = {
  disabled: "disabled",
  killed: "stopped by the kill switch",
  expired: "expired",
  exhausted: "limit reached",
  // Made by its label: it captures from its SDK's first capture call with that label.
  unplaced: "enabled",
  capturing: "enabled",
};

/** JSON over indented lines; a bigint (an integer past 2^53 as the SDK sent it) as its exact digits. */
export function prettyJson(value: unknown, indent = ""): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => inner + prettyJson(item, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${prettyJson(item, inner)}`);
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

function requestLine(context: unknown): string | null {
  if (context === null || typeof context !== "object") return null;
  const { method, path, url } = context as Record<string, unknown>;
  const where = typeof path === "string" ? path : typeof url === "string" ? url : null;
  if (where === null) return null;
  return typeof method === "string" ? `${method} ${where}` : where;
}

function snapshotText(snapshot: SnapshotJson): string {
  const lines = [
    `Snapshot ${snapshot.id} "${cut(snapshot.label, 120)}" in ${snapshot.service}, captured ${snapshot.capturedAt}`,
    `where: ${snapshotPlace(snapshot)}`,
  ];
  if (snapshot.traceId !== null) {
    const span = snapshot.spanId === null ? "" : ` span ${snapshot.spanId}`;
    lines.push(`trace: ${snapshot.traceId}${span} (get_trace shows it, if it is stored)`);
  }
  // Values that look like secrets reach the assistant masked, as the Snapshots page shows them until Reveal.
  const variables = maskSecrets(snapshot.variables);
  const context = maskSecrets(snapshot.requestContext ?? null);
  // The one-line request, as the page's summary shows it: only its query's secrets masked.
  const request = requestLine(snapshot.requestContext);
  if (request !== null) lines.push(`request: ${cut(maskQuerySecrets(request), 300)}`);
  if (snapshot.securityFlags.length > 0) {
    lines.push(`security flags (the SDK scrubbed these before sending): ${snapshot.securityFlags.length}`);
    for (const flag of snapshot.securityFlags) {
      const variable = flag.variable === undefined ? "" : ` in ${flag.variable}`;
      lines.push(`  ${flag.severity} ${cut(describeSecurityFlag(flag), 100)}${variable}`);
    }
  }
  const masked = [...variables.masked, ...context.masked.map((m) => ({ ...m, path: `request context ${m.path}` }))];
  if (masked.length > 0) lines.push(...maskedText(masked));
  lines.push("variables:", prettyJson(variables.value));
  const stack = snapshot.stackTrace.split("\n").filter((line) => line.trim() !== "");
  if (stack.length > 0) {
    lines.push("stack:", ...stack.slice(0, STACK_LINES).map((line) => `  ${cut(line, 300)}`));
    if (stack.length > STACK_LINES) lines.push(`  [${stack.length - STACK_LINES} more stack lines]`);
  }
  if (snapshot.requestContext !== null && snapshot.requestContext !== undefined) {
    lines.push("request context:", prettyJson(context.value));
  }
  return lines.join("\n");
}

/** Masked values listed at most, by where they are and what they look like. */
const MASKED_LINES = 20;
const MASK_TEXT = JSON.stringify(MASK);

function maskedText(masked: readonly MaskedValue[]): string[] {
  const lines = [
    `masked: ${count(masked.length)} value${masked.length === 1 ? "" : "s"} that look like secrets show as ${MASK_TEXT}, as on ` +
      "the Snapshots page until Reveal (only a person there can see them):",
    ...masked
      .slice(0, MASKED_LINES)
      .map((m) => `  ${cut(m.path === "" ? "(the value)" : m.path, 120)}: ${m.finding.label}`),
  ];
  if (masked.length > MASKED_LINES) lines.push(`  [${masked.length - MASKED_LINES} more]`);
  return lines;
}

/** Which breakpoints a list_snapshots call asks about: its service and label, when given. */
interface BreakpointFilter {
  service?: string;
  label?: string;
}

function filterBreakpoints(breakpoints: readonly BreakpointJson[], filter: BreakpointFilter): BreakpointJson[] {
  return breakpoints.filter(
    (bp) =>
      (filter.service === undefined || bp.service === filter.service) &&
      (filter.label === undefined || bp.label === filter.label),
  );
}

/** "of checkout-api labelled "pay"", "labelled "pay"", or "": what the breakpoints were filtered by. */
function filterText(filter: BreakpointFilter): string {
  const service = filter.service === undefined ? "" : ` of ${cut(filter.service, 80)}`;
  const label = filter.label === undefined ? "" : ` labelled ${JSON.stringify(cut(filter.label, 80))}`;
  return `${service}${label}`;
}

/** Why no breakpoint is listed: none at all, or none for this service or label (and what others have). */
function noBreakpointsText(all: readonly BreakpointJson[], filter: BreakpointFilter): string {
  if (all.length === 0) {
    return (
      "No breakpoints either: a TraceKit SDK with code monitoring on registers one at its first " +
      'capture_snapshot("label", {...}) call (captureSnapshot in Node), disabled until it is enabled on the Snapshots page.'
    );
  }
  const asked = [
    filter.service === undefined ? null : `service ${JSON.stringify(cut(filter.service, 80))}`,
    filter.label === undefined ? null : `label ${JSON.stringify(cut(filter.label, 80))}`,
  ].filter((part) => part !== null);
  const services = [...new Set(all.map((bp) => bp.service))].sort();
  const named = services.slice(0, 10).map((service) => cut(service, 80));
  const more = services.length > named.length ? ` and ${count(services.length - named.length)} more` : "";
  return (
    `No breakpoint is set for ${asked.join(" and ")}; ${count(all.length)} ${all.length === 1 ? "is" : "are"} ` +
    `set for ${services.length === 1 ? "service" : "services"} ${named.join(", ")}${more}.`
  );
}

function capturesText(bp: BreakpointJson): string {
  return bp.maxCaptures > 0 ? `${count(bp.captureCount)} of ${count(bp.maxCaptures)}` : count(bp.captureCount);
}

/** A breakpoint the call asks about, with its state as MCP writes it. */
interface BreakpointRow {
  bp: BreakpointJson;
  state: string;
  note?: string;
}

/** The breakpoints the call asks about (the table's rows, or the summary's), each with its state. */
function breakpointRows(breakpoints: BreakpointsResponse, filter: BreakpointFilter, nowMs: number): BreakpointRow[] {
  const contact = sdkContactOf(breakpoints);
  return filterBreakpoints(breakpoints.breakpoints, filter).map((bp) => ({
    bp,
    ...breakpointStateText(bp, breakpoints.killSwitch, nowMs, contact),
  }));
}

/** Every breakpoint the call asks about as a table: the answer when no snapshot matches. */
function breakpointsTable(breakpoints: BreakpointsResponse, filter: BreakpointFilter, shown: BreakpointRow[]): string {
  if (shown.length === 0) return noBreakpointsText(breakpoints.breakpoints, filter);
  const rows = shown.map(({ bp, state }) => [
    bp.service,
    cut(bp.label || "(no label)", 60),
    state,
    capturesText(bp),
    bp.calledFrom === null ? `${bp.filePath}:${bp.lineNumber}` : placeText(bp.calledFrom),
  ]);
  return [
    `Breakpoints${filterText(filter)} (a disabled one captures nothing until it is enabled on the Snapshots page):`,
    table(["service", "label", "state", "captures", "where"], rows),
    ...stateNotes(shown),
  ].join("\n");
}

/** Breakpoints a summary under a list of snapshots names at most; the rest are counted. */
const BREAKPOINTS_NAMED = 20;

/**
 * What is set, under a list of snapshots, compact: the breakpoints the call asks about by state, each
 * by its label (and service, when the call names none) with its count of captures.
 */
function breakpointsSummary(filter: BreakpointFilter, shown: BreakpointRow[]): string {
  if (shown.length === 0 && filter.label !== undefined) {
    // A breakpoint made on the page can be relabelled: these captures' may still be set, under another label.
    const service = filter.service === undefined ? "" : ` of ${cut(filter.service, 80)}`;
    return (
      `None of the breakpoints${service} set now has the label ${JSON.stringify(cut(filter.label, 80))} ` +
      "(deleted or relabelled since these captures)."
    );
  }
  if (shown.length === 0) return `No breakpoint${filterText(filter)} is set now (deleted since these captures).`;
  const byState = new Map<string, string[]>();
  for (const { bp, state } of shown.slice(0, BREAKPOINTS_NAMED)) {
    const name = JSON.stringify(cut(bp.label || `(no label) ${bp.filePath}:${bp.lineNumber}`, 60));
    const service = filter.service === undefined ? `${cut(bp.service, 60)} ` : "";
    const captures = `${capturesText(bp)} capture${bp.captureCount === 1 && bp.maxCaptures === 0 ? "" : "s"}`;
    const list = byState.get(state) ?? [];
    list.push(bp.captureCount > 0 || bp.maxCaptures > 0 ? `${service}${name} (${captures})` : `${service}${name}`);
    byState.set(state, list);
  }
  const states = [...byState].map(([state, names]) => `${state}: ${names.join(", ")}`);
  const more =
    shown.length > BREAKPOINTS_NAMED
      ? `; [${count(shown.length - BREAKPOINTS_NAMED)} more: pass service or label to narrow]`
      : "";
  const summary = `Breakpoints${filterText(filter)} (${count(shown.length)}): ${states.join("; ")}${more}`;
  return [summary, ...stateNotes(shown.slice(0, BREAKPOINTS_NAMED))].join("\n");
}

export function registerSnapshotTools(server: McpServer, rest: RestClient, now: () => number): void {
  server.registerTool(
    "list_snapshots",
    {
      title: "List code-monitoring snapshots",
      description:
        "Variable snapshots TraceKit SDKs captured (code monitoring: capture_snapshot / captureSnapshot calls at " +
        "enabled breakpoints), newest first: time, snapshot id, service, label, where in the code, trace id and " +
        "the variable names; then the breakpoints set (of the service and label asked about) by state: enabled, disabled, " +
        "awaiting its SDK's check-in, no check-in (its app most likely stopped), its SDK paused, expired, limit reached. " +
        "get_snapshot shows one's values.",
      inputSchema: strictInput("list_snapshots", {
        service: z.string().min(1).max(256).optional().describe("only this service"),
        label: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe("only this breakpoint label (the capture call's first argument)"),
        trace_id: z.string().min(1).max(64).optional().describe("only the snapshots captured in this trace"),
        limit: z.number().int().min(1).max(100).default(20).describe("how many snapshots (1-100, default 20)"),
        cursor: z.string().max(200).optional().describe("the cursor a previous answer gave, for older ones"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const page = await rest.get<SnapshotListResponse>("/api/snapshots", {
        service: args.service,
        label: args.label,
        traceId: args.trace_id?.toLowerCase(),
        limit: args.limit,
        cursor: args.cursor,
      });
      const breakpoints = await rest.get<BreakpointsResponse>("/api/breakpoints");
      const filter = { service: args.service, label: args.label };
      const shown = breakpointRows(breakpoints, filter, now());
      if (page.snapshots.length === 0) {
        const filtered = [args.service, args.label, args.trace_id, args.cursor].some((arg) => arg !== undefined);
        const said = filtered ? "No snapshots match." : "No snapshots are stored.";
        return answer(`${said}\n${breakpointsTable(breakpoints, filter, shown)}`, "pass service or label to narrow");
      }
      const rows = page.snapshots.map((s) => [
        s.capturedAt,
        s.id,
        s.service,
        cut(s.label || "(no label)", 40),
        cut(snapshotPlace(s), 80),
        s.traceId ?? "-",
        cut(s.variableNames.join(", "), 100),
      ]);
      const lines = [
        `${count(page.snapshots.length)} snapshots, newest first:`,
        table(["captured", "snapshot_id", "service", "label", "where", "trace_id", "variables"], rows),
      ];
      if (page.nextCursor !== undefined) {
        lines.push(`[older snapshots match: call list_snapshots again with cursor="${page.nextCursor}"]`);
      }
      lines.push(breakpointsSummary(filter, shown));
      return answer(lines.join("\n"), "pass service, label or a lower limit");
    },
  );

  server.registerTool(
    "get_snapshot",
    {
      title: "Get a snapshot",
      description:
        "One code-monitoring snapshot whole: the captured variables (as the SDK sent them, already scrubbed of " +
        "secrets it recognized, integers exact), its security flags, request, stack and request context, and its " +
        "trace and span ids. Values that still look like secrets (by their name or their text, at any depth) are " +
        "masked, as the Snapshots page shows them until Reveal, and the answer lists where each one was.",
      inputSchema: strictInput("get_snapshot", {
        id: z.string().min(1).max(128).describe("the snapshot id, as list_snapshots or get_trace shows it"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const snapshot = await rest.findExact<SnapshotJson>(`/api/snapshots/${encodeURIComponent(args.id.trim())}`);
      if (snapshot === null) {
        throw new ToolInputError(
          `no snapshot ${cut(args.id, 64)} is stored (Clear deletes them); list_snapshots shows what is stored`,
        );
      }
      return answer(
        snapshotText(snapshot),
        "the variables are too large for one answer; the Snapshots page shows them whole",
      );
    },
  );
}

/**
 * The most snapshots GET /api/snapshots answers with at once: the store's MAX_SNAPSHOT_LIMIT, which
 * mcp/ may not import (it reads only protocol types and domain helpers); a test holds the two equal.
 */
export const SNAPSHOTS_PER_PAGE = 1_000;

/** How many pages of a trace's snapshots get_span reads at most for its span's (10,000 snapshots). */
export const MAX_SPAN_SNAPSHOT_PAGES = 10;

/**
 * The snapshots captured in one span, oldest first. The API filters snapshots by trace, not by span:
 * the trace's are read a page at a time, newest first, following the cursor, and kept to the span's.
 * `complete` is false when the pages ran out before the trace's oldest snapshots: then the span may
 * have more than these (older ones), and what is said of them must say "at least".
 */
export async function spanSnapshots(
  rest: RestClient,
  traceId: string,
  spanId: string,
): Promise<{ snapshots: SnapshotSummaryJson[]; complete: boolean }> {
  const found: SnapshotSummaryJson[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_SPAN_SNAPSHOT_PAGES; pages++) {
    const page = await rest.get<SnapshotListResponse>("/api/snapshots", { traceId, limit: SNAPSHOTS_PER_PAGE, cursor });
    for (const snapshot of page.snapshots) if (snapshot.spanId === spanId) found.push(snapshot);
    cursor = page.nextCursor;
    if (cursor === undefined) return { snapshots: found.reverse(), complete: true };
  }
  return { snapshots: found.reverse(), complete: false };
}
