import WebSocket from "ws";
import { count } from "../domain/count-text.js";
import { countsAsError, ERROR_SPANS_QUERY } from "../domain/failure.js";
import { ascending } from "../domain/order.js";
import { queryRefusal } from "../domain/query.js";
import type {
  LiveMessage,
  LogListResponse,
  LogRecordJson,
  SpanJson,
  TraceListResponse,
  TraceResponse,
  TraceSummaryJson,
} from "../protocol.js";
import { requireInstance } from "./instance.js";
import { type DueTrace, retoldErrors, type TailView, TraceTailFeed } from "./tail-feed.js";
import {
  errorLine,
  errorSummary,
  errorsOfSpan,
  logLine,
  palette,
  terminalJson,
  traceLine,
  wantsColour,
} from "./tail-format.js";
import type { TailOptions } from "./tail-options.js";

const TICK_MS = 100;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;
const PAGE = 1000;
const NANOS_PER_MS = 1_000_000n;

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}

/** Ids of every item the server's search matches, page by page; null when the server did not answer. */
async function matchingIds<T>(
  url: string,
  params: URLSearchParams,
  items: (page: T) => { ids: string[]; nextCursor?: string },
): Promise<Set<string> | null> {
  const ids = new Set<string>();
  params.set("limit", String(PAGE));
  for (;;) {
    const page = await getJson<T>(`${url}?${params}`);
    if (page === null) return null;
    const read = items(page);
    for (const id of read.ids) ids.add(id);
    if (read.nextCursor === undefined) return ids;
    params.set("cursor", read.nextCursor);
  }
}

/**
 * The line (on stderr) for records a live message left out and that could not be read from the
 * server either (it did not answer, or the feed gave no place to read them from): never a silent gap.
 */
export function omittedLogsLine(omitted: number, filtered: boolean): string {
  const records = omitted === 1 ? "1 log record" : `${count(omitted)} log records`;
  const which = filtered ? " (matching or not)" : "";
  return `tail: ${records}${which} arrived faster than the live feed carries them and could not be read from the server; the Logs page and GET /api/logs have every one`;
}

/** What an error span's line says of it, to tell two spans that say the same apart from others. */
function errorText(span: SpanJson): string {
  const { label, failure } = errorSummary(span);
  return `${label}\u0000${failure}`;
}

const toMs = (unixNano: string) => String(BigInt(unixNano) / NANOS_PER_MS);

/**
 * The id the server last gave a log record: those after it arrived once tail started. Null when it did
 * not answer or does not say (an older version).
 */
async function lastLogIdNow(url: string): Promise<number | null> {
  const page = await getJson<Partial<LogListResponse>>(`${url}/api/logs?limit=1`);
  const id = Number(page?.lastId ?? Number.NaN);
  return Number.isSafeInteger(id) && id >= 0 ? id : null;
}

export async function runTail(view: TailView, options: TailOptions): Promise<void> {
  const query = options.query?.trim() || undefined;
  // Refused here as the server would refuse it: its every answer would be a 400, and nothing shown.
  const refusal = query === undefined ? null : queryRefusal(query, view === "logs" ? "logs" : "spans");
  if (refusal !== null) {
    console.error(`error: --query: ${refusal}`);
    process.exit(2);
  }
  const { url } = await requireInstance(options);
  const p = palette(options.format === "human" && wantsColour(process.stdout, process.env));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const show = {
    trace: (trace: TraceSummaryJson) => print(options.format === "json" ? terminalJson(trace) : traceLine(trace, p)),
    // One line per error the Errors page counts in the span (one per exception it counts apart). JSON
    // lines: the API's span, plus what the human line names it and says failed.
    error: (span: SpanJson) => {
      for (const error of errorsOfSpan(span)) {
        print(options.format === "json" ? terminalJson({ ...span, ...errorSummary(error) }) : errorLine(error, p));
      }
    },
    log: (log: LogRecordJson) => print(options.format === "json" ? terminalJson(log) : logLine(log, p)),
  };
  // A reader that went away (`| head`) ends tail quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => process.exit(error.code === "EPIPE" ? 0 : 1));

  /** Of these traces, those the server's search for `q` matches (all of them without one). */
  async function tracesMatching(due: DueTrace[], q: string | undefined): Promise<DueTrace[]> {
    if (q === undefined || due.length === 0) return due;
    // `due` is ordered by start: the first one starts the window to search.
    const params = new URLSearchParams({ q, since: toMs(due[0]?.summary.startTimeUnixNano ?? "0") });
    const ids = await matchingIds<TraceListResponse>(`${url}/api/traces`, params, (page) => ({
      ids: page.traces.map((t) => t.traceId),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    }));
    return ids === null ? [] : due.filter((d) => ids.has(d.summary.traceId));
  }

  async function logsMatching(logs: LogRecordJson[]): Promise<LogRecordJson[]> {
    if (query === undefined || logs.length === 0) return logs;
    const times = logs.map((log) => BigInt(log.timeUnixNano)).sort(ascending);
    const params = new URLSearchParams({
      q: query,
      since: String((times[0] ?? 0n) / NANOS_PER_MS),
      until: String((times[times.length - 1] ?? 0n) / NANOS_PER_MS),
    });
    const ids = await matchingIds<LogListResponse>(`${url}/api/logs`, params, (page) => ({
      ids: page.logs.map((log) => log.id),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    }));
    return ids === null ? [] : logs.filter((log) => ids.has(log.id));
  }

  /**
   * The records that arrived after record `afterId` and before `beforeId` (all since, when null), in
   * arrival order, matching the query; null when the server did not answer.
   */
  async function logsAfter(afterId: number, beforeId: number | null): Promise<LogRecordJson[] | null> {
    const found: LogRecordJson[] = [];
    const params = new URLSearchParams({ afterId: String(afterId), limit: String(PAGE) });
    if (query !== undefined) params.set("q", query);
    for (;;) {
      const page = await getJson<LogListResponse>(`${url}/api/logs?${params}`);
      if (page === null) return null;
      for (const log of page.logs) {
        if (beforeId !== null && Number(log.id) >= beforeId) return found;
        found.push(log);
      }
      const last = page.logs[page.logs.length - 1];
      if (page.nextCursor === undefined || last === undefined) return found;
      params.set("afterId", last.id);
    }
  }

  const feed = view === "logs" ? null : new TraceTailFeed(view);
  /** Live `logs` messages not yet printed: the records each carries, and how many before them it left out. */
  let logMessages: { logs: LogRecordJson[]; omitted: number }[] = [];
  /**
   * The id of the last record shown or passed over (ids are numbered on arrival): records a message
   * left out (`omitted`), or that arrived while the connection was lost, are those after it. It starts
   * at the last id given before tail watched, so a record that arrived just before the connection was
   * lost, before any was shown, is read back too, and none from before tail started is.
   */
  let lastLogId: number | null = view === "logs" ? await lastLogIdNow(url) : null;
  /** The connection was lost and made again: records may have arrived meanwhile that no message carries. */
  let logGap = false;
  // One flush at a time, so lines come out in the order they were decided.
  let flushing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (feed !== null) {
      let due = await tracesMatching(feed.due(Date.now()), query);
      // Only the traces that may hold an error are read whole: one search instead of a read per trace.
      if (view === "errors") due = await tracesMatching(due, ERROR_SPANS_QUERY);
      for (const { summary, previousErrors } of due) {
        if (view === "traces") {
          show.trace(summary);
          continue;
        }
        const trace = await getJson<TraceResponse>(`${url}/api/traces/${summary.traceId}`);
        // What the app counts as an error (the Errors page): a failing span, or one that recorded an exception.
        const errors = trace?.spans.filter(countsAsError) ?? [];
        const fresh = feed.selectNewErrors(summary.traceId, previousErrors, errors);
        // A request told twice (two entry spans of one service) that failed the same way is one line.
        const retold = fresh.length === 0 ? null : retoldErrors(trace?.spans ?? [], errors, errorText);
        for (const span of fresh) if (!retold?.has(span)) show.error(span);
      }
    } else {
      const messages = logMessages;
      logMessages = [];
      for (const message of messages) await showLogMessage(message);
    }
  };
  /** Prints a message's records, after those it left out (read from GET /api/logs), in arrival order. */
  async function showLogMessage({ logs, omitted }: { logs: LogRecordJson[]; omitted: number }) {
    const firstId = logs[0] === undefined ? null : Number(logs[0].id);
    // After a reconnection, numbers that start again lower: another instance (restarted without its --db file).
    if (logGap && firstId !== null && lastLogId !== null && firstId <= lastLogId) lastLogId = null;
    if (omitted > 0 || (logGap && lastLogId !== null)) {
      // Without a record shown yet, those left out are the ones just before the first it carries.
      const from = lastLogId ?? (firstId === null ? null : firstId - omitted - 1);
      const missed = from === null ? null : await logsAfter(from, firstId);
      if (missed === null) {
        if (omitted > 0) console.error(omittedLogsLine(omitted, query !== undefined));
      } else {
        for (const log of missed) show.log(log);
        const last = missed[missed.length - 1];
        if (last !== undefined) lastLogId = Math.max(lastLogId ?? 0, Number(last.id));
      }
      logGap = false;
    }
    // A record read above (all since, when the message carried none) is not shown again.
    const fresh = lastLogId === null ? logs : logs.filter((log) => Number(log.id) > (lastLogId as number));
    for (const log of await logsMatching(fresh)) show.log(log);
    const last = logs[logs.length - 1];
    if (last !== undefined) lastLogId = Math.max(lastLogId ?? 0, Number(last.id));
  }

  setInterval(() => {
    flushing = flushing.then(flush);
  }, TICK_MS);

  const onMessage = (message: LiveMessage) => {
    if (message.type === "traces") feed?.receive(message.traces, message.snapshot === true, Date.now());
    else if (message.type === "cleared") feed?.cleared();
    else if (message.type === "logs" && view === "logs") {
      logMessages.push({ logs: message.logs, omitted: message.omitted ?? 0 });
    }
  };

  const matching = query === undefined ? "" : ` matching "${query}"`;
  let stopping = false;
  let socket: WebSocket | null = null;
  let opened = false;
  let lost = false;
  let backoff = RECONNECT_MIN_MS;
  const connect = () => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/live`);
    socket = ws;
    ws.on("open", () => {
      backoff = RECONNECT_MIN_MS;
      // Said once the feed is open, so whatever arrives from this line on is shown.
      if (!opened) console.error(`tail: new ${view}${matching} at ${url} (Ctrl+C to stop)`);
      else if (lost) console.error(`tail: reconnected to ${url}`);
      if (opened) feed?.reconnected();
      if (opened) logGap = true;
      opened = true;
      lost = false;
    });
    ws.on("message", (data) => {
      try {
        onMessage(JSON.parse(String(data)) as LiveMessage);
      } catch {
        // Not a message this version knows: skip it.
      }
    });
    ws.on("error", () => {
      // "close" follows and reconnects.
    });
    ws.on("close", () => {
      if (stopping) return;
      if (!lost) console.error(`tail: lost the connection to ${url}; reconnecting…`);
      lost = true;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, RECONNECT_MAX_MS);
    });
  };

  const stop = () => {
    stopping = true;
    socket?.terminate();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  connect();
}
