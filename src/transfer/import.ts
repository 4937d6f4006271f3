/**
 * Importing OTLP files: every piece of a body (see otlp/files.ts) is decoded and written through the
 * same ingest paths as an OTLP/HTTP export, and counted. Used by `POST /api/import` (the CLI's pieces
 * and files dropped on the page) and by `tracekit-local import --db` without a server.
 */
import type { ReceivedMetric } from "../domain/metric.js";
import type { Ingest } from "../ingest/ingest.js";
import type { LogIngest } from "../ingest/logs.js";
import type { MetricIngest } from "../ingest/metrics.js";
import { type OtlpPiece, otlpPieces, type PieceError, type SplitOptions } from "../otlp/files.js";
import { decodeLogRequestJson } from "../otlp/json/logs.js";
import { decodeMetricsRequestJson } from "../otlp/json/metrics.js";
import { decodeTraceRequestJson } from "../otlp/json/traces.js";
import { decodeLogRequestProtobuf } from "../otlp/protobuf/logs.js";
import { decodeMetricsRequestProtobuf } from "../otlp/protobuf/metrics.js";
import { decodeTraceRequestProtobuf } from "../otlp/protobuf/traces.js";

/** What an import stored and refused. */
export interface ImportCounts {
  /** Distinct trace ids of the spans stored. */
  traceIds: Set<string>;
  spans: number;
  logRecords: number;
  dataPoints: number;
  /** Items the decoders or the stores refused (invalid ids, past the retention bound, ...). */
  rejected: number;
  /** Pieces that could not be read at all, and the first reasons for rejected items. */
  errors: PieceError[];
}

/** Errors kept per import: a file of a million bad lines is reported by its first few. */
export const MAX_IMPORT_ERRORS = 20;

export function emptyImportCounts(): ImportCounts {
  return { traceIds: new Set(), spans: 0, logRecords: 0, dataPoints: 0, rejected: 0, errors: [] };
}

export interface ImportTarget {
  ingest: Ingest;
  logIngest: LogIngest;
  metricIngest: MetricIngest;
}

export interface Importer {
  /** Imports every piece of `body` (any of the file formats) into `counts`. */
  importBody(body: Uint8Array, counts: ImportCounts, options: SplitOptions): void;
  importPiece(piece: OtlpPiece, counts: ImportCounts): void;
}

function addError(counts: ImportCounts, error: PieceError): void {
  if (counts.errors.length < MAX_IMPORT_ERRORS) counts.errors.push(error);
}

function pointCount(metrics: readonly ReceivedMetric[]): number {
  let n = 0;
  for (const metric of metrics) n += metric.data.points.length;
  return n;
}

export function createImporter(target: ImportTarget): Importer {
  function importPiece(piece: OtlpPiece, counts: ImportCounts): void {
    let rejected: number;
    let reasons: string[];
    try {
      if (piece.signal === "traces") {
        // Files hold OTLP as written by OpenTelemetry (or by export): kinds are OTLP's.
        const decoded =
          piece.encoding === "json" ? decodeTraceRequestJson(piece.value) : decodeTraceRequestProtobuf(piece.bytes);
        const stored = target.ingest.spans(decoded.spans);
        counts.spans += stored.inserted;
        if (stored.inserted === decoded.spans.length) {
          for (const span of decoded.spans) counts.traceIds.add(span.traceId);
        } else {
          for (const traceId of stored.changedTraceIds) counts.traceIds.add(traceId);
        }
        rejected = decoded.rejectedSpans + stored.rejectedSpans + stored.lateSpans;
        reasons = decoded.errors;
        if (stored.rejectionMessage !== undefined) reasons.push(stored.rejectionMessage);
      } else if (piece.signal === "logs") {
        const decoded =
          piece.encoding === "json" ? decodeLogRequestJson(piece.value) : decodeLogRequestProtobuf(piece.bytes);
        counts.logRecords += target.logIngest.logs(decoded.logs).length;
        rejected = decoded.rejectedLogRecords;
        reasons = decoded.errors;
      } else {
        const decoded =
          piece.encoding === "json" ? decodeMetricsRequestJson(piece.value) : decodeMetricsRequestProtobuf(piece.bytes);
        const stored = target.metricIngest.metrics(decoded.metrics);
        counts.dataPoints += pointCount(decoded.metrics) - stored.rejected - stored.droppedPoints;
        rejected = decoded.rejectedDataPoints + stored.rejected + stored.droppedPoints;
        reasons = [...decoded.errors, ...stored.errors];
      }
    } catch (error) {
      // The decoders throw only for a request that cannot be read as a whole (OtlpDecodeError).
      addError(counts, { where: piece.where, message: (error as Error).message });
      return;
    }
    counts.rejected += rejected;
    if (rejected > 0) {
      addError(counts, {
        where: piece.where,
        message: `rejected ${rejected}: ${reasons.join("; ")}`,
        rejectedItems: rejected,
      });
    }
  }

  return {
    importPiece,
    importBody(body, counts, options) {
      for (const piece of otlpPieces(body, options)) {
        if ("error" in piece) addError(counts, piece.error);
        else importPiece(piece, counts);
      }
    },
  };
}
