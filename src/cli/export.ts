import { createWriteStream, readlinkSync, renameSync, rmSync, statSync } from "node:fs";
import { constants } from "node:os";
import { dirname, resolve } from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { plural } from "../domain/count-text.js";
import { idOfQuery, type QueryId } from "../domain/query-ids.js";
import type { OtherCounts } from "../offline.js";
import { StoreOpenError } from "../store/open-store.js";
import type { ExportSelection } from "../transfer/export.js";
import type { ExportOptions } from "./export-options.js";
import { refuseInstanceFlagsWithDb, requireInstance } from "./instance.js";

/**
 * The selection of `options`. An id as the query names the stored trace `queried` (found by the id),
 * and that trace is the selection, as the search box opens it: searched for, it would match nothing,
 * as no span's text or attribute is its own trace id. An id that names no stored trace or span stays a
 * search, as it was: an attribute may hold it (a request id is often 32 hex digits, a span id 16).
 */
function selectionOf(options: ExportOptions, queried: string | undefined): ExportSelection {
  if (queried !== undefined) {
    const named = options.trace ?? [];
    return { traceIds: named.includes(queried) ? named : [...named, queried] };
  }
  if (options.trace !== undefined) return { traceIds: options.trace };
  const selection: ExportSelection = { query: {} };
  if (options.query !== undefined && options.query.trim() !== "") selection.query = { q: options.query.trim() };
  if (options.service !== undefined) selection.query = { ...selection.query, service: options.service };
  if (options.errors === true) selection.query = { ...selection.query, errorsOnly: true };
  if (options.since !== undefined) {
    const sinceUnixNano = BigInt(Math.round(Date.now() - options.since)) * 1_000_000n;
    selection.query = { ...selection.query, sinceUnixNano };
  }
  return selection;
}

/**
 * Says that a trace id as the query named no stored trace, and is searched for as text: the id of a
 * trace evicted or not yet arrived, or a request id stored as an attribute.
 */
function noteSearchedId(id: QueryId | null, queried: string | undefined): void {
  if (id?.traceId === undefined || queried !== undefined) return;
  console.error(
    `note: no trace ${id.traceId} is stored; the query was looked up as a trace id, then searched for as text`,
  );
}

/**
 * Says which of --service, --errors and --since an id as the query leaves out: the trace it names is
 * exported whole, as --trace exports it, and a filter read as applied would mislead (MCP's list_traces
 * says the same of its own).
 */
function noteUnappliedFilters(options: ExportOptions, queried: string | undefined): void {
  if (queried === undefined) return;
  const unapplied = [
    options.service === undefined ? "" : "--service",
    options.errors === true ? "--errors" : "",
    options.since === undefined ? "" : "--since",
  ].filter((flag) => flag !== "");
  if (unapplied.length === 0) return;
  console.error(
    `note: ${unapplied.join(", ")} not applied: the query is an id, of trace ${queried}, exported whole as --trace exports it`,
  );
}

/** How the stored trace an id names is found: in a `--db` file, or on a running instance. */
interface TraceLookup {
  trace(traceId: string): Promise<string | undefined> | string | undefined;
  traceOfSpan(spanId: string): Promise<string | undefined> | string | undefined;
}

/**
 * The selection of `options`, with an id as the query looked up first (see selectionOf), and the notes
 * of what that changed said on stderr.
 */
async function selectionWith(options: ExportOptions, lookup: TraceLookup): Promise<ExportSelection> {
  const id = options.query === undefined ? null : idOfQuery(options.query);
  const queried =
    id === null
      ? undefined
      : id.traceId !== undefined
        ? await lookup.trace(id.traceId)
        : await lookup.traceOfSpan(id.spanId);
  noteSearchedId(id, queried);
  noteUnappliedFilters(options, queried);
  return selectionOf(options, queried);
}

/** The JSON the instance at `url` answers at `path`, or undefined when it answers with an error. */
async function answerOf<T>(url: string, path: string): Promise<T | undefined> {
  let response: Response;
  try {
    response = await fetch(`${url}${path}`);
  } catch (error) {
    brokeOff(url, error);
  }
  return response.ok ? ((await response.json()) as T) : undefined;
}

/** Finds traces on the running instance at `url`. */
function instanceLookup(url: string): TraceLookup {
  return {
    trace: async (traceId) =>
      (await answerOf<{ traces?: { traceId: string }[] }>(url, `/api/traces?ids=${traceId}`))?.traces?.[0]?.traceId,
    // With ?missing=null an id that is no stored span's is an answer (null), not a 404.
    traceOfSpan: async (spanId) =>
      (await answerOf<{ traceId?: string } | null>(url, `/api/spans/${spanId}?missing=null`))?.traceId,
  };
}

/** The GET /api/export query of a selection. */
function exportQuery(selection: ExportSelection, signals: readonly string[]): URLSearchParams {
  const params = new URLSearchParams();
  params.set("signals", signals.join(","));
  for (const id of selection.traceIds ?? []) params.append("trace", id);
  if (selection.query?.q !== undefined) params.set("q", selection.query.q);
  if (selection.query?.service !== undefined) params.set("service", selection.query.service);
  if (selection.query?.errorsOnly === true) params.set("status", "error");
  // The API's time window is in unix milliseconds.
  if (selection.query?.sinceUnixNano !== undefined)
    params.set("since", String(selection.query.sinceUnixNano / 1_000_000n));
  return params;
}

/** Writes with backpressure. */
async function write(out: Writable, data: string | Uint8Array): Promise<void> {
  if (!out.write(data)) await new Promise((resolve) => out.once("drain", resolve));
}

/**
 * The file a path names once its symbolic links are followed (a link to nothing yet included: the
 * export creates what it points to), so that moving a finished export into place keeps the link.
 */
function linkTarget(path: string): string {
  let target = path;
  // As many links as Linux follows in one path.
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = readlinkSync(target);
    } catch {
      // Not a link (or not there): this is the file.
      return target;
    }
    target = resolve(dirname(target), link);
  }
  return target;
}

/** Whether the export is written beside `path` and moved over it: a regular file or none, not a FIFO or a device. */
function replaceable(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/**
 * Why the output file could not be written, in one line naming only what the user named: Node's own
 * message names the temporary file beside it (`x.jsonl.partial-<pid>`) and starts with the errno code.
 */
function writeFailure(error: NodeJS.ErrnoException, output: string): string {
  if (error.code === "ENOENT") return `its folder ${dirname(resolve(output))} does not exist`;
  if (error.code === "ENOTDIR") return `a part of its path is a file, not a folder`;
  if (error.code === "EISDIR") return "it is a folder";
  if (error.code === "EACCES" || error.code === "EPERM") return "permission denied";
  if (error.code === "ENOSPC") return "no space left on the device";
  if (error.code === "EROFS") return "the file system is read-only";
  return error.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, "");
}

function fail(message: string, code = 1): never {
  console.error(`error: ${message}`);
  process.exit(code);
}

/**
 * A connection to the instance that broke (it stopped, the network went): one line, not the HTTP
 * client's stack trace.
 */
function brokeOff(url: string, error: unknown): never {
  const cause = (error as { cause?: { message?: unknown } }).cause?.message;
  const why = typeof cause === "string" && cause !== "" ? ` (${cause})` : "";
  fail(`the export from ${url} broke off: ${(error as Error).message}${why}`);
}

export async function runExport(options: ExportOptions): Promise<void> {
  refuseInstanceFlagsWithDb(options);
  const toStdout = options.output === undefined || options.output === "-";
  // Written beside the file and moved over it once complete: an export that fails (a trace not
  // found, no instance, a broken connection) leaves a file of that name as it was. A FIFO or a device
  // is written to as it is (replaced, its reader would get nothing); a link's file is replaced, not the link.
  const target = toStdout ? null : linkTarget(options.output as string);
  const partial = target === null || !replaceable(target) ? null : `${target}.partial-${process.pid}`;
  let complete = false;
  if (partial !== null) {
    process.on("exit", () => {
      if (!complete) rmSync(partial, { force: true });
    });
    // A signal's default action ends the process without "exit": Ctrl+C left the half-written file.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => process.exit(128 + (constants.signals[signal] ?? 0)));
    }
  }
  const out: Writable = target === null ? process.stdout : createWriteStream(partial ?? target);
  if (toStdout) {
    // A reader that stops early (`| head`) is not an error.
    out.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" ? process.exit(0) : fail(`cannot write to stdout: ${error.message}`),
    );
  } else {
    out.on("error", (error) =>
      fail(`cannot write ${options.output}: ${writeFailure(error, options.output as string)}`),
    );
  }
  const counts = { traces: 0, logs: 0 };
  const signals = new Set(options.signals);
  let selection: ExportSelection;
  let others: OtherCounts | null = null;

  if (options.db !== undefined) {
    const { openOffline } = await import("../offline.js");
    const { exportLines } = await import("../transfer/export.js");
    let offline: Awaited<ReturnType<typeof openOffline>>;
    try {
      offline = await openOffline({ dbPath: options.db, create: false, unbounded: true });
    } catch (error) {
      if (error instanceof StoreOpenError) fail(error.message);
      throw error;
    }
    const { store } = offline;
    selection = await selectionWith(options, {
      trace: (traceId) => store.getSummaries([traceId])[0]?.traceId,
      traceOfSpan: (spanId) => store.traceIdOfSpan(spanId),
    });
    try {
      if (selection.traceIds !== undefined) {
        const missing = selection.traceIds.filter((id) => offline.store.getTrace(id) === undefined);
        if (missing.length > 0) fail(`no trace ${missing.join(", ")} in ${options.db}`);
      }
      for (const line of exportLines(offline, selection, signals)) {
        await write(out, `${line.json}\n`);
        counts[line.signal] += line.count;
      }
      others = offline.otherCounts();
    } finally {
      offline.close();
    }
  } else {
    const { url, health } = await requireInstance(options);
    others = otherCountsOf(health);
    selection = await selectionWith(options, instanceLookup(url));
    let response: Response;
    try {
      response = await fetch(`${url}/api/export?${exportQuery(selection, options.signals)}`);
    } catch (error) {
      brokeOff(url, error);
    }
    if (!response.ok || response.body === null) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      fail(body?.error?.message ?? `${url} answered ${response.status}`);
    }
    const lines = new LineCounter(counts);
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await write(out, lines.take(chunk));
      }
    } catch (error) {
      brokeOff(url, error);
    }
    await write(out, lines.end());
  }

  if (target !== null) {
    out.end();
    await finished(out);
  }
  if (partial !== null) {
    try {
      renameSync(partial, target as string);
    } catch (error) {
      fail(`cannot write ${options.output}: ${writeFailure(error as NodeJS.ErrnoException, options.output as string)}`);
    }
    complete = true;
  }
  const where = toStdout ? "" : ` to ${options.output}`;
  const parts = [];
  if (signals.has("traces")) parts.push(plural(counts.traces, "trace"));
  if (signals.has("logs")) parts.push(plural(counts.logs, "log record"));
  console.error(`exported ${parts.join(" and ")}${where}`);
  const note = wholeStore(selection) && others !== null ? leftOutNote(others) : null;
  if (note !== null) console.error(note);
}

/** Whether an export is of everything stored (no trace, search, service, errors or window picked). */
function wholeStore(selection: ExportSelection): boolean {
  return selection.traceIds === undefined && Object.keys(selection.query ?? {}).length === 0;
}

/** The snapshot and metric series counts of an instance's /api/health (an older one's may lack them). */
function otherCountsOf(health: Record<string, unknown>): OtherCounts {
  const counts = (health.counts ?? {}) as Record<string, unknown>;
  const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  return { snapshots: number(counts.snapshots), metricSeries: number(counts.metricSeries) };
}

/**
 * What an export of everything leaves behind, said so a file kept as "the session" is not taken for
 * all of it: snapshots are no OTLP signal, and metrics are kept as steps, not as the points received.
 */
export function leftOutNote(others: OtherCounts): string | null {
  const parts: string[] = [];
  if (others.snapshots > 0) parts.push(plural(others.snapshots, "code-monitoring snapshot"));
  if (others.metricSeries > 0) parts.push(plural(others.metricSeries, "metric series", "metric series"));
  if (parts.length === 0) return null;
  return `note: not exported: ${parts.join(" and ")} (an export holds traces and log records only)`;
}

/**
 * Counts what an export's lines hold as they stream by: a trace per ExportTraceServiceRequest line
 * (a trace too large for one request is several lines in a row, counted once), the records of each
 * ExportLogsServiceRequest line (read for their count). Only whole lines are
 * passed on, so an export that breaks off ends after its last whole line, not inside one.
 */
class LineCounter {
  private pending: Uint8Array[] = [];
  private readonly decoder = new TextDecoder();
  /** The trace id of the last trace line. */
  private lastTraceId = "";

  constructor(private readonly counts: { traces: number; logs: number }) {}

  /** The lines `chunk` ends, counted (the start of one it does not end is held until it ends). */
  take(chunk: Uint8Array): Uint8Array {
    const last = chunk.lastIndexOf(0x0a);
    if (last === -1) {
      this.pending.push(chunk.slice());
      return new Uint8Array(0);
    }
    const whole = Buffer.concat([...this.pending, chunk.subarray(0, last + 1)]);
    this.pending = last + 1 < chunk.length ? [chunk.slice(last + 1)] : [];
    let start = 0;
    for (let i = whole.indexOf(0x0a); i !== -1; i = whole.indexOf(0x0a, start)) {
      this.line(whole.subarray(start, i));
      start = i + 1;
    }
    return whole;
  }

  /** A last line without a newline, counted, once the export has ended. */
  end(): Uint8Array {
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    if (rest.length > 0) this.line(rest);
    return rest;
  }

  private line(bytes: Uint8Array): void {
    // A line starts with its request's one key: {"resourceSpans" or {"resourceLogs".
    const head = this.decoder.decode(bytes.subarray(0, 20));
    if (head.startsWith('{"resourceSpans"')) {
      // The first span's id: the resource and scope before it hold no such key (theirs are "key":…).
      const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('"traceId":"');
      const traceId = at === -1 ? "" : this.decoder.decode(bytes.subarray(at + 11, at + 43));
      if (traceId === "" || traceId !== this.lastTraceId) this.counts.traces++;
      this.lastTraceId = traceId;
    } else if (head.startsWith('{"resourceLogs"')) {
      const request = JSON.parse(this.decoder.decode(bytes)) as {
        resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[];
      };
      for (const resource of request.resourceLogs) {
        for (const scope of resource.scopeLogs) this.counts.logs += scope.logRecords.length;
      }
    }
  }
}
