/**
 * Importing OTLP files: every piece of a body (see otlp/files.ts) is decoded and written through the
 * same ingest paths as an OTLP/HTTP export, and counted. Used by `POST /api/import` (the CLI's pieces
 * and files dropped on the page) and by `tracekit-local import --db` without a server.
 */
import { count } from "../domain/count-text.js";
import { emptyImportTally, type ImportTally } from "../domain/import-tally.js";
import type { ReceivedMetric } from "../domain/metric.js";
import type { Ingest } from "../ingest/ingest.js";
import type { LogIngest } from "../ingest/logs.js";
import type { MetricIngest } from "../ingest/metrics.js";
import type { OtlpPiece, PieceError, SplitOptions } from "../otlp/files.js";
import { decodeTraceRequestJsonDirect } from "../otlp/json/direct-traces.js";
import { decodeLogRequestJson } from "../otlp/json/logs.js";
import { decodeMetricsRequestJson } from "../otlp/json/metrics.js";
import { decodeTraceRequestJson } from "../otlp/json/traces.js";
import { decodeLogRequestProtobuf } from "../otlp/protobuf/logs.js";
import { decodeMetricsRequestProtobuf } from "../otlp/protobuf/metrics.js";
import { decodeTraceRequestProtobuf } from "../otlp/protobuf/traces.js";
import type { TraceDecodeResult } from "../otlp/traces.js";
import { batchPieces, isTraceRequestStart } from "./batch-pieces.js";

/** What an import stored and refused. */
export interface ImportCounts extends ImportTally {
  /** Distinct trace ids of the spans stored. */
  traceIds: Set<string>;
  /** Pieces that could not be read at all, and the first reasons for rejected items. */
  errors: PieceError[];
}

/** Errors kept per import: a file of a million bad lines is reported by its first few. */
export const MAX_IMPORT_ERRORS = 20;

export function emptyImportCounts(): ImportCounts {
  return { ...emptyImportTally(), traceIds: new Set(), errors: [] };
}

/** Items an import read: stored, or held by the stores already (the refused ones aside). */
export function itemsRead(counts: ImportCounts): number {
  const { alreadyStored } = counts;
  return (
    counts.spans +
    counts.logRecords +
    counts.dataPoints +
    alreadyStored.spans +
    alreadyStored.logRecords +
    alreadyStored.dataPoints
  );
}

/** Why spans of traces that retention had evicted were not stored: they count as rejected, with this reason. */
export function lateSpansReason(spans: number): string {
  return `${count(spans)} span${spans === 1 ? "" : "s"} of traces evicted earlier to stay within --max-spans (a part of a trace is not kept on its own)`;
}

export interface ImportTarget {
  ingest: Ingest;
  logIngest: LogIngest;
  metricIngest: MetricIngest;
}

export interface ImportBodyOptions extends SplitOptions {
  /** The body is lines of a JSON Lines file (see BatchPieceOptions). */
  jsonLines?: boolean;
}

export interface Importer {
  /** Imports every piece of `body` (any of the file formats) into `counts`. */
  importBody(body: Uint8Array, counts: ImportCounts, options: ImportBodyOptions): void;
  importPiece(piece: OtlpPiece, counts: ImportCounts): void;
}

/** A JSON trace request read straight from its bytes (the same spans as JSON.parse and the decoder), or null. */
function readTracesDirect(bytes: Uint8Array): TraceDecodeResult | null {
  return isTraceRequestStart(bytes) ? decodeTraceRequestJsonDirect(bytes) : null;
}

/** Keeps an error of the import, up to MAX_IMPORT_ERRORS of them. */
export function addError(counts: ImportCounts, error: PieceError): void {
  if (counts.errors.length < MAX_IMPORT_ERRORS) counts.errors.push(error);
}

/** The data points of decoded metrics. */
export function pointCount(metrics: readonly ReceivedMetric[]): number {
  let n = 0;
  for (const metric of metrics) n += metric.data.points.length;
  return n;
}

/** Counts the items a piece refused, and keeps the first reasons. */
export function addRejected(counts: ImportCounts, where: string, rejected: number, reasons: string[]): void {
  counts.rejected += rejected;
  if (rejected > 0) {
    addError(counts, {
      where,
      message: `rejected ${count(rejected)}: ${reasons.join("; ")}`,
      rejectedItems: rejected,
    });
  }
}

export function createImporter(target: ImportTarget): Importer {
  /** Stores decoded spans; returns the spans refused (by the decoder or the store) and why. */
  function storeSpans(decoded: TraceDecodeResult, counts: ImportCounts): { rejected: number; reasons: string[] } {
    // A file holds whole traces: one retention evicted earlier is stored again, not dropped as late spans.
    const stored = target.ingest.spans(decoded.spans, { storeEvictedTraces: true });
    counts.spans += stored.inserted;
    counts.alreadyStored.spans += stored.duplicateSpans;
    // Every trace that took a new span, whether retention kept it or not (the CLI says what was evicted).
    for (const traceId of stored.storedTraceIds) counts.traceIds.add(traceId);
    const reasons = decoded.errors;
    if (stored.rejectionMessage !== undefined) reasons.push(stored.rejectionMessage);
    if (stored.lateSpans > 0) reasons.push(lateSpansReason(stored.lateSpans));
    return { rejected: decoded.rejectedSpans + stored.rejectedSpans + stored.lateSpans, reasons };
  }

  function importPiece(piece: OtlpPiece, counts: ImportCounts): void {
    let rejected: number;
    let reasons: string[];
    try {
      if (piece.signal === "traces") {
        // Files hold OTLP as written by OpenTelemetry (or by export): kinds are OTLP's.
        ({ rejected, reasons } = storeSpans(
          piece.encoding === "json" ? decodeTraceRequestJson(piece.value) : decodeTraceRequestProtobuf(piece.bytes),
          counts,
        ));
      } else if (piece.signal === "logs") {
        const decoded =
          piece.encoding === "json" ? decodeLogRequestJson(piece.value) : decodeLogRequestProtobuf(piece.bytes);
        const stored = target.logIngest.logs(decoded.logs);
        counts.logRecords += stored.stored.length;
        counts.alreadyStored.logRecords += stored.duplicates;
        rejected = decoded.rejectedLogRecords;
        reasons = decoded.errors;
      } else {
        const decoded =
          piece.encoding === "json" ? decodeMetricsRequestJson(piece.value) : decodeMetricsRequestProtobuf(piece.bytes);
        const stored = target.metricIngest.metrics(decoded.metrics);
        counts.dataPoints += pointCount(decoded.metrics) - stored.rejected - stored.droppedPoints - stored.duplicates;
        counts.alreadyStored.dataPoints += stored.duplicates;
        rejected = decoded.rejectedDataPoints + stored.rejected + stored.droppedPoints;
        reasons = [...decoded.errors, ...stored.errors];
      }
    } catch (error) {
      // The decoders throw only for a request that cannot be read as a whole (OtlpDecodeError).
      addError(counts, { where: piece.where, message: (error as Error).message });
      return;
    }
    addRejected(counts, piece.where, rejected, reasons);
  }

  return {
    importPiece,
    importBody(body, counts, options) {
      const pieceOptions = {
        firstLine: options.firstLine ?? 1,
        firstByte: options.firstByte ?? 0,
        maxInflatedBytes: options.maxInflatedBytes,
        jsonLines: options.jsonLines ?? false,
      };
      for (const piece of batchPieces(body, pieceOptions, readTracesDirect)) {
        if ("error" in piece) addError(counts, piece.error);
        else if ("fast" in piece) {
          const { rejected, reasons } = storeSpans(piece.fast, counts);
          addRejected(counts, piece.where, rejected, reasons);
        } else importPiece(piece, counts);
      }
    },
  };
}
