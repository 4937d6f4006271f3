/**
 * The pieces of one import batch (see otlp/files.ts for the formats), with every JSON request first
 * offered, as its bytes, to a fast reader of trace requests (`readTraces`): a JSON Lines file is
 * mostly trace requests, and reading those from their bytes costs a fraction of JSON.parse and a
 * decoder. What that reader leaves (null: another signal, a lenient spelling, an error) becomes a
 * piece as `otlpPieces` makes it, so it reads and is worded exactly as before.
 */
import { Buffer } from "node:buffer";
import {
  documentPiece,
  formatOf,
  gunzipBounded,
  gunzipCutShort,
  isGzip,
  jsonPiece,
  laterLineIsRequest,
  noFormatMessage,
  otlpPieces,
  type PieceOrError,
} from "../otlp/files.js";
import { jaegerDocumentAsOtlp } from "./jaeger-json.js";
import { tempoDocumentAsOtlp } from "./tempo-json.js";

/** A trace request's bytes → what the caller makes of them, or null to leave them to the general path. */
export type TraceBytesReader<T> = (bytes: Uint8Array) => T | null;

/** A request `readTraces` read, where it is in the file, and its bytes. */
export interface FastPiece<T> {
  fast: T;
  bytes: Uint8Array;
  where: string;
}

export type BatchPiece<T> = PieceOrError | FastPiece<T>;

export interface BatchPieceOptions {
  /** Line of the file the body starts on. */
  firstLine: number;
  /** Byte of the file the body starts at. */
  firstByte: number;
  /** Bound for inflating a gzip body. */
  maxInflatedBytes: number;
  /**
   * The body is lines of a JSON Lines file (each line a request of its own, whatever the first one
   * holds); otherwise a JSON body is JSON Lines only when its first line is a request of its own.
   */
  jsonLines: boolean;
}

const NEWLINE = 0x0a;

/** Text of a line; the byte order mark is dropped only at the start of the body, as TextDecoder drops it there. */
const atStart = new TextDecoder("utf-8");
const inside = new TextDecoder("utf-8", { ignoreBOM: true });

function textOf(body: Uint8Array, start: number, end: number): string {
  return (start === 0 ? atStart : inside).decode(body.subarray(start, end));
}

/** True when `body[from…]` holds anything but white space (as String#trimEnd counts it). */
function contentAfter(body: Uint8Array, from: number): boolean {
  for (let i = from; i < body.length; i++) {
    const b = body[i] as number;
    // Tab, line feed, vertical tab, form feed, carriage return, space.
    if ((b >= 0x09 && b <= 0x0d) || b === 0x20) continue;
    // Beyond ASCII, Unicode's white space is told by the text.
    return b < 0x80 || textOf(body, i, body.length).trimEnd() !== "";
  }
  return false;
}

/** A line as a piece: read fast when it can be, else as `otlpPieces` reads a line; null for a blank line. */
function linePiece<T>(
  body: Uint8Array,
  start: number,
  end: number,
  where: string,
  readTraces: TraceBytesReader<T>,
): BatchPiece<T> | null {
  const bytes = body.subarray(start, end);
  const fast = readTraces(bytes);
  if (fast !== null) return { fast, bytes, where };
  const text = textOf(body, start, end);
  return text.trim() === "" ? null : jsonPiece(text, where);
}

/**
 * What to read of a gzip body cut short: the whole lines of JSON, or a length-prefixed protobuf file
 * (whose reader stops at the cut message), or null when nothing of it can be read whole (one
 * protobuf request, damaged data, no whole line).
 */
function readableBeforeCut(body: Uint8Array, maxInflatedBytes: number): Uint8Array | null {
  const inflated = gunzipCutShort(body, maxInflatedBytes);
  if (inflated === null || isGzip(inflated)) return null;
  const format = formatOf(inflated);
  if (format === "protobuf-stream") return inflated;
  if (format !== "json") return null;
  const end = inflated.lastIndexOf(NEWLINE);
  return end === -1 ? null : inflated.subarray(0, end + 1);
}

/**
 * Every request in a batch, in order, as `otlpPieces` yields them, except that those `readTraces`
 * reads come as its results. `readTraces` must return null for anything `otlpPieces` would not yield
 * as a trace request decoding to the same spans.
 */
export function* batchPieces<T>(
  body: Uint8Array,
  options: BatchPieceOptions,
  readTraces: TraceBytesReader<T>,
): Generator<BatchPiece<T>> {
  if (!options.jsonLines && isGzip(body)) {
    // Inflated first, so a gzipped file reads as the same file unpacked would (a Jaeger document included).
    let inflated: Uint8Array;
    try {
      inflated = gunzipBounded(body, options.maxInflatedBytes);
    } catch (error) {
      const broken = { where: `byte ${options.firstByte}`, message: (error as Error).message };
      // A file cut short (a download that broke off) gives what it holds before the cut, as
      // `tracekit-local import` does: JSON's whole lines, a length-prefixed file's whole messages.
      const readable = readableBeforeCut(body, options.maxInflatedBytes);
      if (readable === null) {
        yield { error: broken };
        return;
      }
      yield* batchPieces(readable, options, readTraces);
      yield { error: { ...broken, message: `${broken.message} after what was read before it` } };
      return;
    }
    // Gzip inside gzip is not read, and data in no format is answered, as otlpPieces answers them
    // (without inflating again): what the gzip holds is the problem.
    if (isGzip(inflated) || formatOf(inflated) === null) {
      yield { error: { where: `byte ${options.firstByte}`, message: noFormatMessage(inflated, true) } };
    } else {
      yield* batchPieces(inflated, options, readTraces);
    }
    return;
  }
  if (!options.jsonLines && formatOf(body) !== "json") {
    yield* otlpPieces(body, options);
    return;
  }
  const firstEnd = body.indexOf(NEWLINE);
  let lines = options.jsonLines;
  let first: BatchPiece<T> | null = null;
  if (!lines && firstEnd !== -1 && contentAfter(body, firstEnd + 1)) {
    // As otlpPieces: JSON Lines when the first line is a request of its own, or one of the next
    // lines is (the first ones damaged).
    first = linePiece(body, 0, firstEnd, `line ${options.firstLine}`, readTraces);
    lines = first !== null && !("error" in first);
    if (!lines) lines = laterLineIsRequest(textOf(body, 0, body.length));
  }
  if (!lines) {
    // One document, whatever its layout; traces saved from Jaeger or Tempo as the OTLP they stand for.
    const where = `line ${options.firstLine}`;
    const converted = jaegerDocumentAsOtlp(body) ?? tempoDocumentAsOtlp(body);
    if (converted !== null) {
      yield jsonPiece(textOf(converted, 0, converted.length), where);
      return;
    }
    const fast = readTraces(body);
    yield fast !== null ? { fast, bytes: body, where } : documentPiece(textOf(body, 0, body.length), options.firstLine);
    return;
  }
  let line = options.firstLine;
  let start = 0;
  if (first !== null) {
    yield first;
    line++;
    start = firstEnd + 1;
  }
  while (start < body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    const piece = linePiece(body, start, end, `line ${line}`, readTraces);
    if (piece !== null) yield piece;
    line++;
    start = end + 1;
  }
}

const QUOTE = 0x22;
const RESOURCE_SPANS = Buffer.from('"resourceSpans"');

/** JSON white space: space, tab, line feed, carriage return. */
function jsonSpaceEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  for (let b = bytes[i]; b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d; b = bytes[++i]);
  return i;
}

/**
 * True when the first key of the object `bytes` starts with is `resourceSpans`: such a request, once
 * it reads as JSON at all, is a trace request (see jsonSignalOf), whatever else it holds.
 */
export function isTraceRequestStart(bytes: Uint8Array): boolean {
  const open = jsonSpaceEnd(bytes, 0);
  if (bytes[open] !== 0x7b) return false;
  const key = jsonSpaceEnd(bytes, open + 1);
  if (bytes[key] !== QUOTE) return false;
  for (let i = 0; i < RESOURCE_SPANS.length; i++) if (bytes[key + i] !== RESOURCE_SPANS[i]) return false;
  return true;
}
