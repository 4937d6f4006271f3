import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { parseHexId } from "../../domain/ids.js";
import { parseQuery } from "../../domain/query.js";
import type { ImportResponse } from "../../protocol.js";
import type { LogStore } from "../../store/log-store.js";
import type { Store } from "../../store/store.js";
import { blankFileText } from "../../transfer/blank-input.js";
import type { ExportLine, ExportSelection, ExportSignal } from "../../transfer/export.js";
import { exportSignalsOf } from "../../transfer/export-signals.js";
import type { ImportTarget } from "../../transfer/import.js";
import { readBody } from "../body.js";
import { assertOwnOrigin } from "../own-origin.js";
import type { HostPolicy } from "../security.js";
import { parseTraceQuery } from "./api.js";

export interface TransferRouteDeps extends ImportTarget {
  store: Store;
  logStore: LogStore;
  hostPolicy: HostPolicy;
  maxBodyBytes: number;
  port(): number;
}

/** How far a gzip import body may inflate, per byte of the body limit. */
const IMPORT_INFLATE_FACTOR = 8;
/** Export lines are sent in chunks of about this size. */
const EXPORT_CHUNK_BYTES = 256 * 1024;

/** The selection GET /api/export names: `trace` (repeatable), else the trace list's filters and time window. */
export function parseExportSelection(params: URLSearchParams): ExportSelection {
  const traces = params.getAll("trace").filter((t) => t !== "");
  if (traces.length > 0) {
    const ids = traces.map((raw) => {
      const id = parseHexId(raw, 32);
      if (id === null) throw new AppError(400, "invalid_trace_id", `"${raw}" is not a trace id (32 hex digits)`);
      return id;
    });
    // A trace named twice is exported once.
    return { traceIds: [...new Set(ids)] };
  }
  const { limit: _limit, cursor: _cursor, ...query } = parseTraceQuery(params);
  // A query that does not parse is a 400 before the answer starts, as the trace list's is.
  if (query.q !== undefined) parseQuery(query.q);
  return { query };
}

/** `signals`: a comma-separated list of `traces` and `logs` (default `traces`). */
export function parseExportSignals(params: URLSearchParams): Set<ExportSignal> {
  const raw = params.get("signals");
  if (raw === null || raw.trim() === "") return new Set(["traces"]);
  const parsed = exportSignalsOf(raw);
  if ("unknown" in parsed) {
    throw new AppError(
      400,
      "invalid_query",
      `signals takes traces and logs, comma-separated, not "${parsed.unknown.slice(0, 40)}" (metrics are not exported)`,
    );
  }
  return new Set(parsed.signals);
}

/** A download's name: a trace's, or the export's kind and time. */
function exportFileName(single: string | undefined, signals: ReadonlySet<ExportSignal>): string {
  if (single !== undefined) return `trace-${single}.jsonl`;
  return `${signals.has("logs") ? "telemetry" : "traces"}-${fileStamp(new Date())}.jsonl`;
}

function fileStamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
}

/** GET /api/export (OTLP/JSON of the chosen traces) and POST /api/import (OTLP files into this server). */
export function transferRoutes(deps: TransferRouteDeps): Hono {
  const app = new Hono();
  // The encoders and decoders of files are loaded on the first export or import, not at every start.
  let modules:
    | Promise<[typeof import("../../transfer/export.js"), typeof import("../../transfer/import.js")]>
    | undefined;
  let importer: ReturnType<typeof import("../../transfer/import.js").createImporter> | undefined;
  const load = async () => {
    modules ??= Promise.all([import("../../transfer/export.js"), import("../../transfer/import.js")]);
    const [exporting, importing] = await modules;
    importer ??= importing.createImporter(deps);
    return {
      exportLines: exporting.exportLines,
      emptyImportCounts: importing.emptyImportCounts,
      itemsRead: importing.itemsRead,
      importer,
    };
  };

  app.get("/api/export", async (c) => {
    const { exportLines } = await load();
    const params = new URL(c.req.url).searchParams;
    const selection = parseExportSelection(params);
    const signals = parseExportSignals(params);
    const stores = { store: deps.store, logs: deps.logStore };
    const single = selection.traceIds?.length === 1 ? selection.traceIds[0] : undefined;
    if (selection.traceIds !== undefined) {
      // Every trace asked for, or none: as an export straight from a --db file answers.
      const stored = new Set(deps.store.getSummaries(selection.traceIds).map((summary) => summary.traceId));
      const missing = selection.traceIds.filter((id) => !stored.has(id));
      if (missing.length > 0) throw new AppError(404, "trace_not_found", `no trace ${missing.join(", ")}`);
    }
    const lines = exportLines(stores, selection, signals);
    // Lines read ahead, sent before the rest.
    const ahead: ExportLine[] = [];
    if (single !== undefined && !signals.has("logs")) {
      // The trace is stored (above): its one line, a document; a trace larger than one request may
      // hold is several lines, sent as JSON Lines below.
      const first = lines.next();
      const second = lines.next();
      if (second.done === true) {
        return c.body(`${(first.value as ExportLine).json}\n`, 200, {
          "Content-Type": "application/json",
          "Content-Disposition": `attachment; filename="trace-${single}.json"`,
        });
      }
      ahead.push(first.value as ExportLine, second.value);
    }
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        let chunk = "";
        while (chunk.length < EXPORT_CHUNK_BYTES) {
          const held = ahead.shift();
          const next: IteratorResult<ExportLine> = held === undefined ? lines.next() : { done: false, value: held };
          if (next.done === true) {
            if (chunk !== "") controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += `${next.value.json}\n`;
        }
        controller.enqueue(encoder.encode(chunk));
      },
      cancel() {
        lines.return(undefined);
      },
    });
    return c.body(body, 200, {
      "Content-Type": "application/x-ndjson",
      "Content-Disposition": `attachment; filename="${exportFileName(single, signals)}"`,
    });
  });

  app.post("/api/import", async (c) => {
    assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), "An import");
    const body = await readBody(c.req.raw, deps.maxBodyBytes);
    // A whole file, blank (gzipped too), is said to be, as `tracekit-local import` says it (read as
    // protobuf, it said "truncated … at byte 0"). Not a piece of a large file (`lines=1`): its last
    // lines may well be blank.
    if (c.req.query("lines") !== "1") {
      const blank = blankFileText(body);
      if (blank !== null) throw new AppError(400, "empty_import", `the file ${blank}: nothing to import`);
    }
    const { emptyImportCounts, itemsRead, importer } = await load();
    const line = Number(c.req.query("line") ?? "1");
    const counts = emptyImportCounts();
    // The import is stored in this turn: what the stores evicted meanwhile, it made them evict.
    const before = { spans: deps.store.stats(), logs: deps.logStore.stats() };
    importer.importBody(body, counts, {
      firstLine: Number.isSafeInteger(line) && line >= 1 ? line : 1,
      maxInflatedBytes: deps.maxBodyBytes * IMPORT_INFLATE_FACTOR,
      // `lines=1`: whole lines of a JSON Lines file sent in parts (the web app's large files).
      jsonLines: c.req.query("lines") === "1",
    });
    const after = { spans: deps.store.stats(), logs: deps.logStore.stats() };
    const { alreadyStored } = counts;
    if (itemsRead(counts) === 0 && counts.rejected === 0 && counts.errors.length > 0) {
      const first = counts.errors[0] as { where: string; message: string };
      throw new AppError(400, "unreadable_import", `${first.where}: ${first.message}`);
    }
    const answer: ImportResponse = {
      traces: counts.traceIds.size,
      traceIds: [...counts.traceIds],
      spans: counts.spans,
      logRecords: counts.logRecords,
      dataPoints: counts.dataPoints,
      alreadyStored,
      rejected: counts.rejected,
      errors: counts.errors,
      evicted: {
        traces: after.spans.evictedTraces - before.spans.evictedTraces,
        spans: after.spans.evictedSpans - before.spans.evictedSpans,
        logRecords: after.logs.evictedLogs - before.logs.evictedLogs,
      },
    };
    return c.json(answer);
  });

  return app;
}
