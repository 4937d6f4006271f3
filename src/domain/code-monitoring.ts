/**
 * Code monitoring (TraceKit SDK snapshots): breakpoints the SDKs capture at, the snapshots they
 * send, and events they report about themselves. Plain data and pure rules; times are epoch ms.
 */

import type { CodeLocation } from "./code-location.js";
import { characterNumber } from "./long-text.js";

export type BreakpointOrigin = "auto" | "manual";

export interface Breakpoint {
  id: string;
  service: string;
  filePath: string;
  functionName: string;
  label: string;
  lineNumber: number;
  /** An expression the SDK evaluates before capturing; "" when none. */
  condition: string;
  /** 0 = unlimited. */
  maxCaptures: number;
  captureCount: number;
  expireAt: number | null;
  enabled: boolean;
  origin: BreakpointOrigin;
  createdAt: number;
  updatedAt: number;
  lastCapturedAt: number | null;
  /**
   * When an SDK last got it as it is in the answer to its own request (a registration, which the
   * Node SDK keeps as the breakpoint), so it needs no check-in to know of that change; null if never.
   */
  heardAt: number | null;
  /**
   * Where its last capture came from, when the SDK registered its own capture call as the location
   * (`callerOf`); null until then. Shown instead; the SDK keeps matching on what it registered.
   */
  calledFrom: CodeLocation | null;
}

export interface SecurityFlag {
  type: string;
  severity: string;
  variable?: string;
}

/** What a list shows of a snapshot; the heavy parts stay in `Snapshot`. */
export interface SnapshotSummary {
  id: string;
  breakpointId: string | null;
  service: string;
  filePath: string;
  functionName: string;
  label: string;
  lineNumber: number;
  /** As the SDK stamped it (`captured_at`). */
  capturedAt: string;
  /** When this server accepted it; snapshots are listed in this order. */
  receivedAt: number;
  traceId: string | null;
  spanId: string | null;
  securityFlagCount: number;
  variableNames: string[];
  /** Where the capture came from when the SDK named its own capture call as the location (`callerOf`). */
  calledFrom: CodeLocation | null;
}

export interface Snapshot extends SnapshotSummary {
  variables: unknown;
  securityFlags: SecurityFlag[];
  stackTrace: string;
  requestContext: unknown;
}

export interface SdkEvent {
  id: string;
  service: string;
  type: string;
  receivedAt: number;
  data: Record<string, unknown>;
}

/** Why a breakpoint does not capture right now, or null when it does. */
export type BreakpointRefusal = "disabled" | "expired" | "exhausted";

export function breakpointRefusal(
  breakpoint: Pick<Breakpoint, "enabled" | "expireAt" | "maxCaptures" | "captureCount">,
  now: number,
): BreakpointRefusal | null {
  if (!breakpoint.enabled) return "disabled";
  if (breakpoint.expireAt !== null && now >= breakpoint.expireAt) return "expired";
  if (breakpoint.maxCaptures > 0 && breakpoint.captureCount >= breakpoint.maxCaptures) return "exhausted";
  return null;
}

export function isCapturing(breakpoint: Breakpoint, now: number): boolean {
  return breakpointRefusal(breakpoint, now) === null;
}

type Location = Pick<Breakpoint, "service" | "filePath" | "functionName" | "label" | "lineNumber">;

/**
 * What makes two breakpoints the same code location. The SDKs key a capture by function and label
 * ("stable across code changes"), so a labelled location keeps its breakpoint when its line moves;
 * an unlabelled one is told apart by its line.
 */
export function locationKey(location: Location): string {
  const base = `${location.service}\u0000${location.filePath}\u0000${location.functionName}\u0000${location.label}`;
  return location.label === "" ? `${base}\u0000${location.lineNumber}` : base;
}

/** The list-row part of a snapshot (a new object without the variables). */
export function snapshotSummary(snapshot: Snapshot): SnapshotSummary {
  return {
    id: snapshot.id,
    breakpointId: snapshot.breakpointId,
    service: snapshot.service,
    filePath: snapshot.filePath,
    functionName: snapshot.functionName,
    label: snapshot.label,
    lineNumber: snapshot.lineNumber,
    capturedAt: snapshot.capturedAt,
    receivedAt: snapshot.receivedAt,
    traceId: snapshot.traceId,
    spanId: snapshot.spanId,
    securityFlagCount: snapshot.securityFlagCount,
    variableNames: snapshot.variableNames,
    // Files written before it was kept have none.
    calledFrom: snapshot.calledFrom ?? null,
  };
}

/** Top-level variable names of a snapshot, for its list row. */
export function variableNamesOf(variables: unknown): string[] {
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) return [];
  return Object.keys(variables);
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** Time zones are from UTC−12 to UTC+14. */
const MAX_ZONE_QUARTERS = 14 * 4;
/** How near a whole number of quarter hours a capture's distance from its arrival must be to be read as a zone. */
const ZONE_SLACK_MS = 60_000;

/**
 * When a capture was taken, in UTC (`…Z`, its digits below the millisecond kept), from what the SDK
 * sent and when it arrived (`receivedAt`, ms): every reader (the page, the API, the assistant's tools)
 * then lists captures in one zone. A time sent with its zone's offset (`18:34:53.123456+05:30`) is
 * moved to UTC; one without a zone is read as UTC. The TraceKit Python SDK stamps the machine's local
 * time with `Z`, so outside UTC its captures claim to be hours away from their arrival; an SDK sends a
 * capture as it takes it. A time a whole number of quarter hours (a time zone's offset, within a
 * minute) and at least one away from its arrival is read so and moved back by that offset; a capture
 * without a time was taken when it arrived.
 */
export function captureTime(sent: string | null, receivedAt: number): string {
  if (sent === null) return new Date(receivedAt).toISOString();
  const claimed = Date.parse(ISO_WITHOUT_ZONE.test(sent) ? `${sent}Z` : sent);
  if (!Number.isFinite(claimed)) return sent;
  const quarters = Math.round((receivedAt - claimed) / QUARTER_HOUR_MS);
  const rest = receivedAt - claimed - quarters * QUARTER_HOUR_MS;
  const isZone = quarters !== 0 && Math.abs(quarters) <= MAX_ZONE_QUARTERS && Math.abs(rest) <= ZONE_SLACK_MS;
  const finer = /[T ]\d\d:\d\d:\d\d\.\d{3}(\d+)(?:Z|[+-]\d\d:?\d\d)?$/i.exec(sent)?.[1] ?? "";
  const utc = new Date(claimed + (isZone ? quarters * QUARTER_HOUR_MS : 0)).toISOString();
  return utc.replace(/Z$/, `${finer}Z`);
}

/** An RFC 3339-like date and time without a zone (`2026-12-05T06:45:44.852786`). */
const ISO_WITHOUT_ZONE = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/i;

/** The longest service name code monitoring takes (an SDK sends its configured `service.name`). */
export const MAX_SERVICE_NAME = 512;

/**
 * Control characters, line and paragraph separators, and the formatting characters that hide text or
 * make it read in another order: the soft hyphen, bidirectional marks, embeddings, overrides and
 * isolates, zero-width space, word joiner and invisible operators, the byte-order mark, interlinear
 * annotation, shorthand format controls, musical formatting (beams, ties, slurs, phrases), and tags
 * (but for a region's flag, FLAG_TAGS). The
 * zero-width non-joiner and joiner (U+200C, U+200D) are spelling in Persian and Indic names and join
 * emoji, and stay; so do the other formatting characters of a script (Arabic number signs, Egyptian
 * hieroglyph controls).
 */
const HIDDEN_CHARACTER =
  /\p{Cc}|[\u00AD\u061C\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}\u{E0000}-\u{E007F}]/u;

/**
 * A region's flag: 🏴, its code in tag characters (two lowercase letters for the country, then one to
 * four lowercase letters or digits for the region: `gbsct`), and the cancel tag that ends it. Tags are
 * invisible copies of ASCII, so any other run of them is hidden text.
 */
const FLAG_TAGS = /\u{1F3F4}[\u{E0061}-\u{E007A}]{2}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,4}\u{E007F}/gu;

/**
 * Why `name` cannot be a service's name in code monitoring, or null when it can. An SDK sends the
 * name its app was configured with (`my-api`, `Shop API`, `@acme/shop`, `café`, a Persian name with
 * a zero-width non-joiner), so any printable text is taken; a blank name, one past MAX_SERVICE_NAME
 * characters, or one holding a control or hidden formatting character (`%00`, a line break, a
 * right-to-left override; HIDDEN_CHARACTER), which no configured name has, is refused rather than
 * kept as a service that checked in.
 */
export function serviceNameProblem(name: string): string | null {
  if (name.trim() === "") return "is empty";
  if (name.length > MAX_SERVICE_NAME) return `is longer than ${MAX_SERVICE_NAME} characters`;
  // A flag's tags read as spaces, so that the index of anything found stays the name's own.
  const invisible = HIDDEN_CHARACTER.exec(name.replace(FLAG_TAGS, (flag) => "\u{1F3F4}".padEnd(flag.length)));
  if (invisible !== null) {
    const code = (invisible[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
    return `holds the control or formatting character U+${code} at character ${characterNumber(name, invisible.index)}, which no service name has`;
  }
  return null;
}
