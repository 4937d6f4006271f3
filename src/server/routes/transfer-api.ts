import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { parseHexId } from "../../domain/ids.js";
import type { ImportResponse } from "../../protocol.js";
import type { Store } from "../../store/store.js";
import type { ExportSelection } from "../../transfer/export.js";
import type { ImportTarget } from "../../transfer/import.js";
import { readBody } from "../body.js";
import { assertOwnOrigin } from "../own-origin.js";
import type { HostPolicy } from "../security.js";
import { parseTraceQuery } from "./api.js";

export interface TransferRouteDeps extends ImportTarget {
  store: Store;
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
    return {
      traceIds: traces.map((raw) => {
        const id = parseHexId(raw, 32);
        if (id === null) throw new AppError(400, "invalid_trace_id", `"${raw}" is not a trace id (32 hex digits)`);
        return id;
      }),
    };
  }
  const { limit: _limit, cursor: _cursor, ...query } = parseTraceQuery(params);
  return { query };
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
    return { exportTraceLines: exporting.exportTraceLines, emptyImportCounts: importing.emptyImportCounts, importer };
  };

  app.get("/api/export", async (c) => {
    const { exportTraceLines } = await load();
    const selection = parseExportSelection(new URL(c.req.url).searchParams);
    const single = selection.traceIds?.length === 1 ? selection.traceIds[0] : undefined;
    if (single !== undefined) {
      const [line] = exportTraceLines(deps.store, selection);
      if (line === undefined) throw new AppError(404, "trace_not_found", `no trace ${single}`);
      return c.body(`${line}\n`, 200, {
        "Content-Type": "application/json",
        "Content-Disposition": `attachment; filename="trace-${single}.json"`,
      });
    }
    const lines = exportTraceLines(deps.store, selection);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        let chunk = "";
        while (chunk.length < EXPORT_CHUNK_BYTES) {
          const next = lines.next();
          if (next.done === true) {
            if (chunk !== "") controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += `${next.value}\n`;
        }
        controller.enqueue(encoder.encode(chunk));
      },
      cancel() {
        lines.return(undefined);
      },
    });
    return c.body(body, 200, {
      "Content-Type": "application/x-ndjson",
      "Content-Disposition": `attachment; filename="traces-${fileStamp(new Date())}.jsonl"`,
    });
  });

  app.post("/api/import", async (c) => {
    assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), "An import");
    const body = await readBody(c.req.raw, deps.maxBodyBytes);
    const { emptyImportCounts, importer } = await load();
    const line = Number(c.req.query("line") ?? "1");
    const counts = emptyImportCounts();
    importer.importBody(body, counts, {
      firstLine: Number.isSafeInteger(line) && line >= 1 ? line : 1,
      maxInflatedBytes: deps.maxBodyBytes * IMPORT_INFLATE_FACTOR,
    });
    const stored = counts.spans + counts.logRecords + counts.dataPoints;
    if (stored === 0 && counts.rejected === 0 && counts.errors.length > 0) {
      const first = counts.errors[0] as { where: string; message: string };
      throw new AppError(400, "unreadable_import", `${first.where}: ${first.message}`);
    }
    const answer: ImportResponse = {
      traces: counts.traceIds.size,
      traceIds: [...counts.traceIds],
      spans: counts.spans,
      logRecords: counts.logRecords,
      dataPoints: counts.dataPoints,
      rejected: counts.rejected,
      errors: counts.errors,
    };
    return c.json(answer);
  });

  return app;
}
