/**
 * Sending imported files to a running instance over OTLP/HTTP (`POST /v1/traces`, `/v1/logs`,
 * `/v1/metrics`), the way any exporter does. Trace requests read from JSON are sent as protobuf
 * (transcoded here, so parsing the JSON and decoding the spans run in two processes); the spans of
 * all requests in a batch go in one request. What was sent is counted here, and what the server
 * refused is read from its partial-success answers.
 */
import type { ReceivedMetric } from "../domain/metric.js";
import { type OtlpPiece, type OtlpSignalName, otlpPieces, splitProtobufRequest } from "../otlp/files.js";
import { decodeLogRequestJson } from "../otlp/json/logs.js";
import { decodeMetricsRequestJson } from "../otlp/json/metrics.js";
import { decodeTraceRequestJson } from "../otlp/json/traces.js";
import { transcodeTraceRequestJson } from "../otlp/json/transcode-traces.js";
import { decodeLogRequestProtobuf } from "../otlp/protobuf/logs.js";
import { decodeMetricsRequestProtobuf } from "../otlp/protobuf/metrics.js";
import { decodeTraceRequestProtobuf } from "../otlp/protobuf/traces.js";
import { ProtoReader, WIRE_LEN, WIRE_VARINT } from "../otlp/protobuf/wire.js";
import type { TraceDecodeResult } from "../otlp/traces.js";
import type { ImportBatch } from "./file-batches.js";
import { type ImportCounts, MAX_IMPORT_ERRORS } from "./import.js";
import type { BatchSink } from "./import-stream.js";

/** The most one trace request holds (the receiver refuses bodies over 32 MiB by default). */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** How far a gzip piece inside a file may inflate. */
const MAX_INFLATED_BYTES = 1024 ** 3;

interface Sent {
  /** Items in the request (what the server may store or refuse). */
  items: number;
  traceIds?: Iterable<string>;
}

function addError(counts: ImportCounts, where: string, message: string, rejectedItems?: number): void {
  if (counts.errors.length >= MAX_IMPORT_ERRORS) return;
  counts.errors.push(rejectedItems === undefined ? { where, message } : { where, message, rejectedItems });
}

function pointCount(metrics: readonly ReceivedMetric[]): number {
  let n = 0;
  for (const metric of metrics) n += metric.data.points.length;
  return n;
}

/** Items in a logs or metrics piece, counted by decoding it here (those signals are rarely the bulk of a file). */
function countItems(piece: OtlpPiece): number {
  if (piece.signal === "logs") {
    const decoded =
      piece.encoding === "json" ? decodeLogRequestJson(piece.value) : decodeLogRequestProtobuf(piece.bytes);
    return decoded.logs.length + decoded.rejectedLogRecords;
  }
  const decoded =
    piece.encoding === "json" ? decodeMetricsRequestJson(piece.value) : decodeMetricsRequestProtobuf(piece.bytes);
  return pointCount(decoded.metrics) + decoded.rejectedDataPoints;
}

/** `rejected_*` and `error_message` of an Export*ServiceResponse, or of a google.rpc.Status message. */
function readProtobufAnswer(bytes: Uint8Array): { rejected: number; message: string } {
  const answer = { rejected: 0, message: "" };
  const r = new ProtoReader(bytes);
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      // ExportResponse.partial_success
      const saved = r.enter();
      while (r.pos < r.end) {
        const inner = r.tag();
        if (inner === ((1 << 3) | WIRE_VARINT)) answer.rejected = Number(r.uint64());
        else if (inner === ((2 << 3) | WIRE_LEN)) answer.message = r.string();
        else r.skip(inner);
      }
      r.leave(saved);
    } else if (tag === ((2 << 3) | WIRE_LEN)) {
      // google.rpc.Status.message
      answer.message = r.string();
    } else {
      r.skip(tag);
    }
  }
  return answer;
}

function readJsonAnswer(text: string): { rejected: number; message: string } {
  try {
    const body = JSON.parse(text) as {
      partialSuccess?: Record<string, unknown>;
      message?: string;
    };
    const partial = body.partialSuccess ?? {};
    const rejected = Number(partial.rejectedSpans ?? partial.rejectedLogRecords ?? partial.rejectedDataPoints ?? 0);
    return { rejected, message: String(partial.errorMessage ?? body.message ?? "") };
  } catch {
    return { rejected: 0, message: text.slice(0, 200) };
  }
}

/** Batches to a running instance's OTLP/HTTP receiver. */
export function otlpHttpSink(
  baseUrl: string,
  userAgent: string,
  { maxRequestBytes = MAX_REQUEST_BYTES }: { maxRequestBytes?: number } = {},
): BatchSink {
  async function post(
    signal: OtlpSignalName,
    body: Uint8Array | string,
    sent: Sent,
    where: string,
    counts: ImportCounts,
  ): Promise<void> {
    const protobuf = typeof body !== "string";
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/v1/${signal}`, {
        method: "POST",
        // A User-Agent: requests without one are read as a TraceKit SDK's local-UI spans.
        headers: { "Content-Type": protobuf ? "application/x-protobuf" : "application/json", "User-Agent": userAgent },
        body: protobuf ? (body as Uint8Array<ArrayBuffer>) : body,
      });
    } catch (error) {
      addError(counts, where, `cannot reach ${baseUrl} (${(error as Error).message})`);
      return;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    const isProtobuf = (response.headers.get("content-type") ?? "").includes("protobuf");
    let answer: { rejected: number; message: string };
    try {
      answer = isProtobuf ? readProtobufAnswer(bytes) : readJsonAnswer(new TextDecoder().decode(bytes));
    } catch {
      answer = { rejected: 0, message: "" };
    }
    if (response.status !== 200) {
      addError(counts, where, `${response.status}: ${answer.message || response.statusText}`);
      return;
    }
    const stored = Math.max(0, sent.items - answer.rejected);
    if (signal === "traces") {
      counts.spans += stored;
      if (stored > 0) for (const id of sent.traceIds ?? []) counts.traceIds.add(id);
    } else if (signal === "logs") {
      counts.logRecords += stored;
    } else {
      counts.dataPoints += stored;
    }
    if (answer.rejected > 0) {
      counts.rejected += answer.rejected;
      addError(counts, where, `rejected ${answer.rejected}: ${answer.message}`, answer.rejected);
    }
  }

  return {
    async send(batch: ImportBatch, counts: ImportCounts) {
      const requests: Promise<void>[] = [];
      // The trace requests of the batch, merged into requests of at most MAX_REQUEST_BYTES:
      // repeated fields concatenate.
      let traceParts: Uint8Array[] = [];
      let traceBytes = 0;
      let traceSent: Sent & { traceIds: Set<string> } = { items: 0, traceIds: new Set() };
      let firstWhere = "";
      let lastWhere = "";
      const flushTraces = () => {
        if (traceParts.length === 0) return;
        const where = firstWhere === lastWhere ? firstWhere : `${firstWhere}–${lastWhere.replace(/^\D+/, "")}`;
        requests.push(post("traces", Buffer.concat(traceParts), traceSent, where, counts));
        traceParts = [];
        traceBytes = 0;
        traceSent = { items: 0, traceIds: new Set() };
        firstWhere = "";
      };
      const addTraces = (part: { bytes: Uint8Array; spans: number; traceIds: Iterable<string> }, where: string) => {
        if (traceBytes + part.bytes.length > maxRequestBytes) flushTraces();
        traceParts.push(part.bytes);
        traceBytes += part.bytes.length;
        traceSent.items += part.spans;
        for (const id of part.traceIds) traceSent.traceIds.add(id);
        firstWhere ||= where;
        lastWhere = where;
      };
      for (const piece of otlpPieces(batch.body, {
        firstLine: batch.firstLine,
        firstByte: batch.firstByte,
        maxInflatedBytes: MAX_INFLATED_BYTES,
      })) {
        if ("error" in piece) {
          addError(counts, piece.error.where, piece.error.message);
          continue;
        }
        try {
          if (piece.signal === "traces") {
            const transcoded =
              piece.encoding === "json"
                ? transcodeTraceRequestJson(piece.value)
                : { bytes: piece.bytes, ...protobufTraceCount(piece.bytes) };
            if (transcoded === null && piece.encoding === "json") {
              // Not the standard encoding: the server's JSON decoder reads it by its own rules.
              requests.push(post("traces", piece.text, jsonTraceCount(piece.value), piece.where, counts));
              continue;
            }
            if (transcoded === null) continue;
            if (transcoded.bytes.length <= maxRequestBytes) {
              addTraces(transcoded, piece.where);
            } else {
              // One request too big for the receiver's body limit: sent in parts, each counted on its own.
              for (const part of splitProtobufRequest(transcoded.bytes, maxRequestBytes)) {
                addTraces({ bytes: part, ...protobufTraceCount(part) }, piece.where);
              }
            }
          } else {
            const sent = { items: countItems(piece) };
            requests.push(
              post(piece.signal, piece.encoding === "json" ? piece.text : piece.bytes, sent, piece.where, counts),
            );
          }
        } catch (error) {
          // A request the decoders cannot read at all: the server would refuse it the same way.
          addError(counts, piece.where, (error as Error).message);
        }
      }
      flushTraces();
      await Promise.all(requests);
    },
  };
}

/** Spans and trace ids of a protobuf trace request (decoded here only to count them). */
function protobufTraceCount(bytes: Uint8Array): { spans: number; traceIds: Set<string> } {
  return countOf(decodeTraceRequestProtobuf(bytes));
}

/** What a JSON trace request sent as JSON holds, by the server's own JSON rules. */
function jsonTraceCount(value: unknown): Sent {
  const { spans, traceIds } = countOf(decodeTraceRequestJson(value));
  return { items: spans, traceIds };
}

function countOf(decoded: TraceDecodeResult): { spans: number; traceIds: Set<string> } {
  return {
    spans: decoded.spans.length + decoded.rejectedSpans,
    traceIds: new Set(decoded.spans.map((s) => s.traceId)),
  };
}
