/**
 * Sending imported files to a running instance over OTLP/HTTP (`POST /v1/traces`, `/v1/logs`,
 * `/v1/metrics`), the way any exporter does. Trace requests read from JSON are sent as protobuf,
 * written straight from the JSON bytes (otlp/json/transcode-traces.ts), so that reading the JSON and
 * decoding the spans run in two processes and the server decodes what it decodes fastest; the trace
 * requests of a batch go in as few requests as the receiver's body and request limits allow. What
 * was sent is counted here, what the server refused is read from its partial-success answers, and
 * what it held already from the count it reports when asked (otlp/duplicates.ts).
 */

import { addSignalCounts, emptySignalCounts, type SignalCounts } from "../domain/import-tally.js";
import { byteSize } from "../domain/size-text.js";
import {
  DUPLICATES_HEADER,
  LATE_SPANS_HEADER,
  REPORT_DUPLICATES_HEADER,
  UNCHANGED_TRACES_FIELD,
  UNCHANGED_TRACES_KEY,
} from "../otlp/duplicates.js";
import { type OtlpPiece, type OtlpSignalName, splitProtobufRequest } from "../otlp/files.js";
import { decodeLogRequestJson } from "../otlp/json/logs.js";
import { decodeMetricsRequestJson } from "../otlp/json/metrics.js";
import { decodeTraceRequestJson } from "../otlp/json/traces.js";
import { type TranscodedTraces, transcodeTraceRequestJson } from "../otlp/json/transcode-traces.js";
import { DEFAULT_MAX_BODY_BYTES, type RequestCounts, withinRequestLimits } from "../otlp/limits.js";
import { decodeLogRequestProtobuf } from "../otlp/protobuf/logs.js";
import { decodeMetricsRequestProtobuf } from "../otlp/protobuf/metrics.js";
import { decodeTraceRequestProtobuf } from "../otlp/protobuf/traces.js";
import { ProtoReader, tagOf, WIRE_LEN, WIRE_VARINT } from "../otlp/protobuf/wire.js";
import type { TraceDecodeResult } from "../otlp/traces.js";
import { batchPieces } from "./batch-pieces.js";
import type { ImportBatch } from "./file-batches.js";
import { type HttpAnswer, httpClient } from "./http-client.js";
import { addError, addRejected, type ImportCounts, lateSpansReason, pointCount } from "./import.js";
import { type BatchSink, SinkUnreachableError } from "./import-stream.js";

/** The most one trace request holds (the receiver refuses bodies over 32 MiB by default). */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** How far a gzip piece inside a file may inflate. */
const MAX_INFLATED_BYTES = 1024 ** 3;

interface Sent {
  /** Items in the request (what the server may store or refuse). */
  items: number;
  traceIds?: Iterable<string>;
}

/** Where each signal's items are counted. */
const signalItems: Record<OtlpSignalName, keyof SignalCounts> = {
  traces: "spans",
  logs: "logRecords",
  metrics: "dataPoints",
};

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

/** What an answer says: refused items and why, and (when it says) the request's traces that took no new span. */
interface ExportAnswer {
  rejected: number;
  message: string;
  unchanged: Set<string> | null;
}

/** `rejected_*` and `error_message` of an Export*ServiceResponse (and its unchanged traces), or of a google.rpc.Status message. */
function readProtobufAnswer(bytes: Uint8Array): ExportAnswer {
  const answer: ExportAnswer = { rejected: 0, message: "", unchanged: null };
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
    } else if (tag === tagOf(UNCHANGED_TRACES_FIELD, WIRE_LEN)) {
      answer.unchanged ??= new Set();
      answer.unchanged.add(r.string());
    } else {
      r.skip(tag);
    }
  }
  return answer;
}

function readJsonAnswer(text: string): ExportAnswer {
  try {
    const body = JSON.parse(text) as {
      partialSuccess?: Record<string, unknown>;
      message?: string;
      [UNCHANGED_TRACES_KEY]?: unknown;
    };
    const partial = body.partialSuccess ?? {};
    const rejected = Number(partial.rejectedSpans ?? partial.rejectedLogRecords ?? partial.rejectedDataPoints ?? 0);
    const ids = body[UNCHANGED_TRACES_KEY];
    const unchanged = Array.isArray(ids) ? new Set(ids.map(String)) : null;
    return { rejected, message: String(partial.errorMessage ?? body.message ?? ""), unchanged };
  } catch {
    return { rejected: 0, message: text.slice(0, 200), unchanged: null };
  }
}

/** A count the server reported in a header, at most `max` (absent or not a count: 0). */
function reportedCount(header: string | string[] | undefined, max: number): number {
  const reported = Number(header ?? 0);
  return Number.isSafeInteger(reported) && reported > 0 ? Math.min(reported, Math.max(0, max)) : 0;
}

/**
 * Batches to a running instance's OTLP/HTTP receiver. A body over `maxBodyBytes` (the receiver's
 * default limit) is not sent: the receiver answers 413 and closes the connection before reading it,
 * which reads here as a server gone away.
 */
export function otlpHttpSink(
  baseUrl: string,
  userAgent: string,
  {
    maxRequestBytes = MAX_REQUEST_BYTES,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  }: { maxRequestBytes?: number; maxBodyBytes?: number } = {},
): BatchSink {
  const client = httpClient(baseUrl);
  /**
   * The last log and metrics request sent, per signal: each waits for the one before it, so they
   * reach the server in the file's order, across batches too. What they store depends on it (a log
   * line whose records an earlier line holds is that line sent again; a cumulative point is read
   * against the one before it, and one older than it is read as nothing), and concurrent requests
   * arrive in any order: a loaded machine stored a file's resent line as new, so the same file
   * imported into a running instance and into a --db file left different stores. Spans, known by
   * their ids, go concurrently.
   */
  const lastInOrder: Partial<Record<OtlpSignalName, Promise<unknown>>> = {};
  function postInOrder(
    signal: "logs" | "metrics",
    body: Uint8Array | string,
    sent: Sent,
    where: string,
    counts: ImportCounts,
  ): Promise<void> {
    const previous = lastInOrder[signal] ?? Promise.resolve();
    const request = previous.then(() => post(signal, body, sent, where, counts));
    // The next request waits for this one to settle, not to succeed (its failure is the batch's).
    lastInOrder[signal] = request.catch(() => {});
    return request;
  }

  async function post(
    signal: OtlpSignalName,
    body: Uint8Array | readonly Uint8Array[] | string,
    sent: Sent,
    where: string,
    counts: ImportCounts,
  ): Promise<void> {
    const protobuf = typeof body !== "string";
    const parts = typeof body === "string" ? [Buffer.from(body)] : body instanceof Uint8Array ? [body] : body;
    const size = parts.reduce((n, part) => n + part.length, 0);
    if (size > maxBodyBytes) {
      // A request that cannot be cut (a log or metric line, a trace line in a lenient spelling, one span).
      // In bytes too when it rounds to the limit's size ("32 MiB, more than the 32 MiB" says nothing).
      const exact = byteSize(size) === byteSize(maxBodyBytes);
      addError(counts, {
        where,
        message: `a request of ${byteSize(size, { exact })}, more than the ${byteSize(maxBodyBytes, { exact: true })} the server takes: not sent (import --db writes it into a file without a server)`,
      });
      return;
    }
    const request = {
      // A User-Agent: requests without one are read as a TraceKit SDK's local-UI spans.
      headers: {
        "Content-Type": protobuf ? "application/x-protobuf" : "application/json",
        "User-Agent": userAgent,
        [REPORT_DUPLICATES_HEADER]: "1",
      },
      body: parts,
    };
    let response: HttpAnswer | undefined;
    /**
     * The failure of a connection that took the request, in part or whole (the server may have stored
     * it unanswered): what went wrong first, which the retry's refusal would hide.
     */
    let broken: Error | null = null;
    for (let attempt = 1; response === undefined; attempt++) {
      try {
        response = await client.post(`/v1/${signal}`, request);
      } catch (error) {
        // A kept-alive connection the server closed as it was reused fails once; sent again on a new
        // one (the server stores nothing twice). Refused, or failing again: the server is gone.
        const refused = (error as NodeJS.ErrnoException).code === "ECONNREFUSED";
        if (attempt === 1 && !refused) {
          broken = error as Error;
          continue;
        }
        const unanswered = emptySignalCounts();
        if (broken !== null || !refused) unanswered[signalItems[signal]] = sent.items;
        throw new SinkUnreachableError(unreachable(baseUrl, broken, error as Error), unanswered);
      }
    }
    const isProtobuf = (response.contentType ?? "").includes("protobuf");
    let answer: ExportAnswer;
    try {
      answer = isProtobuf ? readProtobufAnswer(response.body) : readJsonAnswer(new TextDecoder().decode(response.body));
    } catch {
      answer = { rejected: 0, message: "", unchanged: null };
    }
    if (response.status !== 200) {
      addError(counts, { where, message: `${response.status}: ${answer.message || response.statusMessage}` });
      return;
    }
    // A server without the counts (an older tracekit-local) is taken to have held none of them and dropped none.
    const duplicates = reportedCount(response.headers[DUPLICATES_HEADER], sent.items);
    // Spans of traces retention had evicted are dropped without a refusal in the OTLP answer: rejected here.
    const late =
      signal === "traces"
        ? reportedCount(response.headers[LATE_SPANS_HEADER], sent.items - answer.rejected - duplicates)
        : 0;
    const stored = Math.max(0, sent.items - answer.rejected - duplicates - late);
    counts[signalItems[signal]] += stored;
    counts.alreadyStored[signalItems[signal]] += duplicates;
    if (signal === "traces" && stored > 0) {
      // A trace is new to the instance when it took a new span; a server that does not say which
      // did not (an older tracekit-local) is taken to have added every trace of a request that stored any.
      const { unchanged } = answer;
      for (const id of sent.traceIds ?? []) if (unchanged === null || !unchanged.has(id)) counts.traceIds.add(id);
    }
    const rejected = answer.rejected + late;
    const reasons = [answer.message, late > 0 ? lateSpansReason(late) : ""].filter((reason) => reason !== "");
    addRejected(counts, where, rejected, reasons);
  }

  return {
    async send(batch: ImportBatch, counts: ImportCounts) {
      const requests: Promise<void>[] = [];
      const traces = new TraceRequests(maxRequestBytes, (parts, sent, where) =>
        requests.push(post("traces", parts, sent, where, counts)),
      );
      const options = {
        firstLine: batch.firstLine,
        firstByte: batch.firstByte,
        maxInflatedBytes: MAX_INFLATED_BYTES,
        jsonLines: batch.jsonLines,
      };
      for (const piece of batchPieces(batch.body, options, transcodeTraceRequestJson)) {
        if ("error" in piece) {
          addError(counts, { where: piece.error.where, message: piece.error.message });
          continue;
        }
        if ("fast" in piece) {
          traces.add(piece.fast, piece.where);
          continue;
        }
        try {
          if (piece.signal === "traces") {
            if (piece.encoding === "json") {
              // Not written as protobuf here: the server's JSON decoder reads it by its own rules.
              requests.push(post("traces", piece.text, jsonTraceCount(piece.value), piece.where, counts));
            } else {
              traces.add({ bytes: piece.bytes, ...protobufTraceCount(piece.bytes) }, piece.where);
            }
          } else {
            const sent = { items: countItems(piece) };
            requests.push(
              postInOrder(
                piece.signal,
                piece.encoding === "json" ? piece.text : piece.bytes,
                sent,
                piece.where,
                counts,
              ),
            );
          }
        } catch (error) {
          // A request the decoders cannot read at all: the server would refuse it the same way.
          addError(counts, { where: piece.where, message: (error as Error).message });
        }
      }
      traces.flush();
      // Every request of the batch settled before it is done, so none adds to the counts after.
      const failures: unknown[] = [];
      for (const result of await Promise.allSettled(requests))
        if (result.status === "rejected") failures.push(result.reason);
      if (failures.length === 0) return;
      const [first] = failures;
      if (!(first instanceof SinkUnreachableError)) throw first;
      // What every request of the batch the server stopped on left unanswered, not only the first's.
      const unanswered = emptySignalCounts();
      for (const failure of failures)
        if (failure instanceof SinkUnreachableError) addSignalCounts(unanswered, failure.unanswered);
      throw new SinkUnreachableError(first.message, unanswered);
    },
    close: () => client.close(),
  };
}

/**
 * Why requests to the server stopped: `last` refused, or a connection that took the request failed
 * (`broken`) and so did the retry's (`last`), a refusal when the server stopped meanwhile.
 */
function unreachable(baseUrl: string, broken: Error | null, last: Error): string {
  if (broken === null) return `cannot reach ${baseUrl} (${last.message})`;
  const retry =
    (last as NodeJS.ErrnoException).code === "ECONNREFUSED"
      ? "a new one was refused"
      : `a new one failed too (${last.message})`;
  return `lost the connection to ${baseUrl} (${broken.message}), and ${retry}`;
}

/** A protobuf trace request to send, with what it holds (the counts of a protobuf file's request are unknown). */
interface TracePart {
  bytes: Uint8Array;
  traceIds: Iterable<string>;
  spans: number;
  counts: null;
}

function emptyCounts(): RequestCounts {
  return { spans: 0, resourceGroups: 0, scopeGroups: 0, values: 0 };
}

/**
 * The protobuf trace requests of a batch, merged into requests of at most `maxBytes` that the
 * receiver's request limits allow (repeated fields concatenate); a request too big alone is sent in
 * parts, each counted on its own.
 */
class TraceRequests {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private sent: Sent & { traceIds: Set<string> } = { items: 0, traceIds: new Set() };
  /** What the request being gathered holds; null once a part of unknown counts is in it. */
  private counts: RequestCounts | null = emptyCounts();
  private firstWhere = "";
  private lastWhere = "";

  constructor(
    private readonly maxBytes: number,
    private readonly send: (parts: readonly Uint8Array[], sent: Sent, where: string) => void,
  ) {}

  add(part: TracePart | TranscodedTraces, where: string): void {
    if (part.bytes.length <= this.maxBytes) {
      this.gather(part, "counts" in part ? part.counts : part, where);
      return;
    }
    // Too big alone: sent in parts, each counted on its own (a part may still be too big: one resource entry).
    this.flush();
    for (const piece of splitProtobufRequest(part.bytes, this.maxBytes)) {
      this.gather({ bytes: piece, ...protobufTraceCount(piece) }, null, where);
    }
  }

  private gather(part: TracePart | TranscodedTraces, counts: RequestCounts | null, where: string): void {
    if (this.bytes + part.bytes.length > this.maxBytes || !this.fits(counts)) this.flush();
    this.parts.push(part.bytes);
    this.bytes += part.bytes.length;
    this.sent.items += part.spans;
    for (const id of part.traceIds) this.sent.traceIds.add(id);
    if (counts === null) {
      this.counts = null;
    } else if (this.counts !== null) {
      this.counts.spans += counts.spans;
      this.counts.resourceGroups += counts.resourceGroups;
      this.counts.scopeGroups += counts.scopeGroups;
      this.counts.values += counts.values;
    }
    this.firstWhere ||= where;
    this.lastWhere = where;
  }

  /** Whether a part holding `counts` may join the request being gathered (null: unknown, so it goes alone). */
  private fits(counts: RequestCounts | null): boolean {
    if (this.parts.length === 0) return true;
    if (counts === null || this.counts === null) return false;
    return withinRequestLimits({
      spans: this.counts.spans + counts.spans,
      resourceGroups: this.counts.resourceGroups + counts.resourceGroups,
      scopeGroups: this.counts.scopeGroups + counts.scopeGroups,
      values: this.counts.values + counts.values,
    });
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const { firstWhere, lastWhere } = this;
    const where = firstWhere === lastWhere ? firstWhere : `${firstWhere}–${lastWhere.replace(/^\D+/, "")}`;
    this.send(this.parts, this.sent, where);
    this.parts = [];
    this.bytes = 0;
    this.sent = { items: 0, traceIds: new Set() };
    this.counts = emptyCounts();
    this.firstWhere = "";
  }
}

/** Spans and trace ids of a protobuf trace request (decoded here only to count them). */
function protobufTraceCount(bytes: Uint8Array): { spans: number; traceIds: Set<string>; counts: null } {
  return { ...countOf(decodeTraceRequestProtobuf(bytes)), counts: null };
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
