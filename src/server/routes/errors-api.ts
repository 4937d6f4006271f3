/** GET /api/errors: stored errors grouped by fingerprint over a window, from the store's running groups. */
import { Hono } from "hono";
import { fingerprintId, groupedByLibraryFrames } from "../../domain/error-fingerprint.js";
import { errorsBelow, type SpanChildren, spanChildren } from "../../domain/error-origin.js";
import { AppError } from "../../domain/errors.js";
import { LIST_STACK_TEXT, LIST_TEXT, textPrefix } from "../../domain/long-text.js";
import type { ErrorGroupsResponse, ErrorOriginJson } from "../../protocol.js";
import type { ErrorGroupsAnswer } from "../../store/error-groups.js";
import type { Store } from "../../store/store.js";
import { parseTimeWindow } from "../time-window.js";

export interface ErrorsApiDeps {
  store: Store;
}

const DEFAULT_GROUPS = 100;
const MAX_GROUPS = 1_000;
const DEFAULT_BUCKETS = 30;
const MAX_BUCKETS = 500;

function wholeNumber(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : 0;
  if (value < 1 || value > max) {
    throw new AppError(400, "invalid_query", `${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

/**
 * `bucketStart` and `bucketNanos` (both or neither, decimal nanoseconds): the sparklines' axis of an earlier
 * answer, so that a next page's groups are drawn on the axis of the groups listed before them.
 */
function pinnedAxis(params: URLSearchParams): { bucketStartUnixNano: bigint; bucketNanos: bigint } | undefined {
  const start = params.get("bucketStart");
  const width = params.get("bucketNanos");
  if (start === null && width === null) return undefined;
  if (
    start === null ||
    width === null ||
    !/^\d{1,20}$/.test(start) ||
    !/^\d{1,20}$/.test(width) ||
    BigInt(width) < 1n
  ) {
    throw new AppError(
      400,
      "invalid_query",
      "bucketStart and bucketNanos go together, as whole nanoseconds (bucketNanos at least 1): an earlier answer's bucketStartUnixNano and bucketNanos",
    );
  }
  return { bucketStartUnixNano: BigInt(start), bucketNanos: BigInt(width) };
}

/** The newest traces of each group looked at to find where its errors started. */
const ORIGIN_TRACES_PER_GROUP = 2;
/** At most this many distinct traces read per answer, and for at most this long. */
const ORIGIN_TRACE_BUDGET = 200;
const ORIGIN_MS_BUDGET = 25;
const MAX_ORIGINS = 3;
/** Traces bigger than this are not walked for where errors started (their groups read null). */
const ORIGIN_MAX_SPANS = 5_000;

/**
 * For each group, where its errors started (see ErrorGroupJson.startedBelow), from its newest
 * traces in the store; null for the groups past the budget.
 */
export function errorOrigins(store: Store, answer: ErrorGroupsAnswer): (ErrorOriginJson[] | null)[] {
  // Each trace read once, as its spans by parent; null for one not stored or too big to walk.
  const traces = new Map<string, SpanChildren | null>();
  const started = performance.now();
  return answer.groups.map((group) => {
    const origins = new Map<string, ErrorOriginJson>();
    let looked = 0;
    for (const occurrence of group.latest.slice(0, ORIGIN_TRACES_PER_GROUP)) {
      if (performance.now() - started > ORIGIN_MS_BUDGET) break;
      let children = traces.get(occurrence.traceId);
      if (children === undefined) {
        if (traces.size >= ORIGIN_TRACE_BUDGET) break;
        const spans = store.getTrace(occurrence.traceId);
        children = spans === undefined || spans.length > ORIGIN_MAX_SPANS ? null : spanChildren(spans);
        traces.set(occurrence.traceId, children);
      }
      if (children === null) continue;
      looked++;
      const below = errorsBelow(children, occurrence.spanId);
      const ids = below.map((error) => fingerprintId(error.fingerprint));
      // An error of the group that started in its own span, or below it in one of the group's own
      // (a framework's span inside the HTTP span, failing alike): the group is where errors start.
      if (below.length === 0 || ids.includes(group.id)) return [];
      for (const [i, error] of below.entries()) {
        const id = ids[i] as string;
        if (!origins.has(id) && origins.size < MAX_ORIGINS) {
          origins.set(id, { id, service: error.service, type: cut(error.type), message: cut(error.message) });
        }
      }
    }
    return looked === 0 ? null : [...origins.values()];
  });
}

/** A group's text as the answer carries it: its beginning (1 MB names and messages would make every answer huge). */
const cut = (text: string) => textPrefix(text, LIST_TEXT);

export function errorGroupsToJson(
  answer: ErrorGroupsAnswer,
  origins: readonly (ErrorOriginJson[] | null)[] = [],
): ErrorGroupsResponse {
  return {
    groups: answer.groups.map((group, i) => {
      const { message, stacktrace } = group.sample;
      return {
        ...group,
        type: cut(group.type),
        pattern: cut(group.pattern),
        frames: group.frames.map(cut),
        // Every error of a group has the same grouping frames: its sample's stack tells whose they are.
        libraryFrames: group.frames.length > 0 && groupedByLibraryFrames(stacktrace),
        operations: group.operations.map((op) => ({ ...op, name: cut(op.name) })),
        failedIn: group.failedIn.map((op) => ({
          ...op,
          name: cut(op.name),
          peer: op.peer === null ? null : cut(op.peer),
        })),
        startedBelow: origins[i] ?? null,
        firstSeenUnixNano: group.firstSeenUnixNano.toString(),
        lastSeenUnixNano: group.lastSeenUnixNano.toString(),
        latest: group.latest.map((l) => ({
          ...l,
          operation: { ...l.operation, name: cut(l.operation.name) },
          timeUnixNano: l.timeUnixNano.toString(),
        })),
        sample: {
          ...group.sample,
          message: cut(message),
          stacktrace: textPrefix(stacktrace, LIST_STACK_TEXT),
          ...(message.length > LIST_TEXT ? { messageLength: message.length } : {}),
          ...(stacktrace.length > LIST_STACK_TEXT ? { stacktraceLength: stacktrace.length } : {}),
          timeUnixNano: group.sample.timeUnixNano.toString(),
        },
      };
    }),
    ...(answer.nextCursor !== undefined ? { nextCursor: answer.nextCursor } : {}),
    totalGroups: answer.totalGroups,
    totalErrors: answer.totalErrors,
    totalTraces: answer.totalTraces,
    bucketStartUnixNano: answer.bucketStartUnixNano.toString(),
    bucketNanos: answer.bucketNanos.toString(),
    buckets: answer.buckets,
  };
}

/**
 * The sparklines' time axis, the same for every group: the window asked for, ending now; for
 * everything stored, the stored traces' time span (the store widens either to its errors' times).
 */
function sparklineAxis(
  store: Store,
  window: { sinceUnixNano?: bigint; untilUnixNano?: bigint },
  nowUnixNano: bigint,
): { axisStartUnixNano?: bigint; axisEndUnixNano?: bigint } {
  const axis: { axisStartUnixNano?: bigint; axisEndUnixNano?: bigint } = {};
  if (window.sinceUnixNano === undefined) {
    // From 1 ns on: a trace of spans with no start (0) dates nothing.
    const oldest = store.listTraces({ limit: 1, order: "asc", sinceUnixNano: 1n }).traces[0];
    if (oldest !== undefined) axis.axisStartUnixNano = oldest.startTimeUnixNano;
  }
  if (window.untilUnixNano === undefined) {
    if (window.sinceUnixNano !== undefined) axis.axisEndUnixNano = nowUnixNano;
    else {
      const newest = store.listTraces({ limit: 1 }).traces[0];
      if (newest !== undefined) axis.axisEndUnixNano = newest.endTimeUnixNano;
    }
  }
  return axis;
}

export function errorsApiRoutes(deps: ErrorsApiDeps): Hono {
  const app = new Hono();
  app.get("/api/errors", (c) => {
    const params = new URL(c.req.url).searchParams;
    const sort = params.get("sort") ?? "lastSeen";
    if (sort !== "lastSeen" && sort !== "count") {
      throw new AppError(400, "invalid_query", `sort must be lastSeen or count, not "${sort.slice(0, 40)}"`);
    }
    const window = parseTimeWindow(params);
    const axis = pinnedAxis(params);
    const answer = deps.store.errorGroups({
      ...window,
      ...sparklineAxis(deps.store, window, BigInt(Date.now()) * 1_000_000n),
      ...(params.get("service") ? { service: params.get("service") as string } : {}),
      sort,
      limit: wholeNumber(params, "limit", DEFAULT_GROUPS, MAX_GROUPS),
      ...(params.get("cursor") ? { cursor: params.get("cursor") as string } : {}),
      buckets: wholeNumber(params, "buckets", DEFAULT_BUCKETS, MAX_BUCKETS),
      ...(axis !== undefined ? { pinnedAxis: axis } : {}),
    });
    return c.json(errorGroupsToJson(answer, errorOrigins(deps.store, answer)));
  });
  return app;
}
