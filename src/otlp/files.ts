/**
 * OTLP as it is kept in files, split into export requests ("pieces") that the decoders read:
 *
 * - OTLP/JSON: one ExportTrace/Logs/MetricsServiceRequest document (any layout), or JSON Lines as the
 *   OpenTelemetry Collector's file exporter writes them (one request per line; lines of the three
 *   signals may be mixed).
 * - OTLP protobuf: one request, or the Collector's `proto` file format (each request preceded by its
 *   length as a 4-byte big-endian integer).
 * - Either of them gzip-compressed (told by the magic bytes, not the name).
 *
 * Which signal a piece holds is read from it: the JSON field name (`resourceSpans`, `resourceLogs`,
 * `resourceMetrics`), or for protobuf the wire types of the first item's fields (the three request
 * messages share their outer shape).
 */
import { constants, gunzipSync } from "node:zlib";
import { count } from "../domain/count-text.js";
import { byteSize } from "../domain/size-text.js";
import { OtlpDecodeError } from "./errors.js";
import { JsonSyntaxError, parseOtlpJsonText } from "./json/parse.js";
import { splitEntry } from "./protobuf/split-entry.js";
import { ProtoReader, WIRE_I64, WIRE_LEN } from "./protobuf/wire.js";

export type OtlpSignalName = "traces" | "logs" | "metrics";

export type OtlpPiece =
  | { signal: OtlpSignalName; encoding: "json"; value: unknown; text: string; where: string }
  | { signal: OtlpSignalName; encoding: "protobuf"; bytes: Uint8Array; where: string };

/** A part of a file that could not be read, and where it is ("line 12", "byte 4096"). */
export interface PieceError {
  where: string;
  message: string;
  /** Set when the part was read but some of its items were refused (the rest was stored). */
  rejectedItems?: number;
}

export type PieceOrError = OtlpPiece | { error: PieceError };

export type OtlpFileFormat = "json" | "protobuf" | "protobuf-stream";

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates a gzip body, refusing to grow it past `maxBytes` (a gzip bomb stops at the bound). */
export function gunzipBounded(bytes: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new OtlpDecodeError(`gzip data inflates past ${byteSize(maxBytes, { exact: true })}`);
    }
    throw new OtlpDecodeError(`gzip data is broken (${(error as Error).message})`);
  }
}

/**
 * What a gzip body that ends too soon inflates to up to where it stops (a download cut short), or null
 * when it does not inflate that far: damaged data, or more than `maxBytes`.
 */
export function gunzipCutShort(bytes: Uint8Array, maxBytes: number): Uint8Array | null {
  try {
    // A sync flush at the end hands over what inflated, where the default finish asks for the rest.
    return gunzipSync(bytes, { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
}

/**
 * JSON opening an object after white space: `{`, then a key (`"name":`) or `}` (an export request's
 * `"resourceSpans":`, or another document a reader takes, as Jaeger's `"data":`). A protobuf request
 * starting with 0x0a (a newline) may go on with `{` (a length of 123) and `"` (another of 34), but not
 * with a quoted word and a colon.
 */
const JSON_REQUEST_START = /^[ \t\r\n]*\{[ \t\r\n]*("[A-Za-z_$][\w$.-]*"[ \t\r\n]*:|\})/;

/**
 * Up to `length` bytes (as latin1 text) from the first that is not JSON white space (or a leading UTF-8
 * byte order mark): a document after any number of blank lines is told by what opens it, not by a
 * window the blank lines fill.
 */
export function afterWhiteSpace(bytes: Uint8Array, length: number): string {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length) {
    const b = bytes[start] as number;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) break;
    start++;
  }
  return Buffer.from(bytes.subarray(start, start + length)).toString("latin1");
}

/** The format of (uncompressed) OTLP bytes from their first byte, or null when it is none of them. */
export function formatOf(bytes: Uint8Array): OtlpFileFormat | null {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    // JSON may start with white space or a UTF-8 byte order mark.
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) {
      if (i === 0 && b === 0x0a) {
        const opening = afterWhiteSpace(bytes, 256);
        // Nothing but white space as far as these bytes go (a first look at a file's start): no
        // protobuf request is hundreds of such bytes (its strings and lengths are not), so JSON
        // follows, after blank lines.
        if (opening === "" && bytes.length >= 256) return "json";
        if (!JSON_REQUEST_START.test(opening)) return "protobuf";
      }
      continue;
    }
    if (b === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) {
      i += 2;
      continue;
    }
    if (b === 0x7b) return "json";
    if (i !== 0) return null;
    // Field 1, length-delimited: every export request starts so. A length prefix under 16 MiB starts with 0.
    if (b === 0x0a) return "protobuf";
    if (b === 0x00) return "protobuf-stream";
    return null;
  }
  return null;
}

const RESOURCE_FIELDS: [string, OtlpSignalName][] = [
  ["resourceSpans", "traces"],
  ["resource_spans", "traces"],
  ["resourceLogs", "logs"],
  ["resource_logs", "logs"],
  ["resourceMetrics", "metrics"],
  ["resource_metrics", "metrics"],
];

/** The signal of a parsed OTLP/JSON request. */
export function jsonSignalOf(value: unknown): OtlpSignalName {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [field, signal] of RESOURCE_FIELDS) if (field in value) return signal;
    // An empty request ({}) is a valid export of nothing.
    if (Object.keys(value).length === 0) return "traces";
  }
  throw new OtlpDecodeError("not an OTLP export request (no resourceSpans, resourceLogs or resourceMetrics)");
}

/**
 * The signal of a protobuf export request, from the first item it holds: a Span has fixed64 times in
 * fields 7 and 8, a LogRecord in fields 1 and 11, a Metric its data in length-delimited fields 5–11
 * (and neither). A request with no items holds nothing to import, whatever its signal.
 */
export function protobufSignalOf(bytes: Uint8Array): OtlpSignalName {
  const r = new ProtoReader(bytes);
  const item = firstItem(r);
  if (item === null) return "traces";
  let signal: OtlpSignalName | null = null;
  let sixteenByteFieldOne = false;
  while (r.pos < r.end) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === WIRE_I64 && (field === 7 || field === 8)) return "traces";
    if (wire === WIRE_I64 && (field === 1 || field === 11)) return "logs";
    if (wire === WIRE_LEN && field >= 5 && field <= 11 && field !== 6 && field !== 8) signal ??= "metrics";
    if (wire === WIRE_LEN && field === 1) {
      const start = r.pos;
      r.skip(tag);
      // A trace id is 16 bytes after a 1-byte length.
      sixteenByteFieldOne = r.pos - start === 17;
      continue;
    }
    r.skip(tag);
  }
  if (sixteenByteFieldOne) return "traces";
  if (signal !== null) return signal;
  throw new OtlpDecodeError("cannot tell whether this protobuf holds spans, log records or metrics");
}

/** Moves `r` into the first item (span, log record, metric) of the request; null when it has none. */
function firstItem(r: ProtoReader): true | null {
  // request.resource_x (1) → resource_x.scope_x (2) → scope_x.items (2)
  for (const wanted of [1, 2, 2]) {
    let found = false;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag >>> 3 === wanted && (tag & 7) === WIRE_LEN) {
        r.enter();
        found = true;
        break;
      }
      r.skip(tag);
    }
    if (!found) return null;
  }
  return true;
}

/**
 * The top-level entries (ResourceSpans, ResourceLogs, ResourceMetrics) of a protobuf request,
 * regrouped into requests of at most about `maxBytes` each. Repeated fields concatenate, so each
 * group is itself a valid request. An entry larger than that is cut into entries of its resource
 * (protobuf/split-entry.ts), each a request of its own: only an item larger than `maxBytes` (one span)
 * makes a larger request.
 */
export function splitProtobufRequest(bytes: Uint8Array, maxBytes: number): Uint8Array[] {
  if (bytes.length <= maxBytes) return [bytes];
  return [...protobufEntryGroups(bytes, maxBytes)].flatMap(({ start, end }) =>
    // A group larger than maxBytes is a single entry (see protobufEntryGroups).
    splitEntry(bytes.subarray(start, end), maxBytes, 2),
  );
}

/**
 * The byte ranges of splitProtobufRequest's groups. A request cut short or damaged throws
 * OtlpDecodeError (naming its byte) at the entry it breaks in, after the groups of the whole entries
 * before it.
 */
export function* protobufEntryGroups(bytes: Uint8Array, maxBytes: number): Generator<{ start: number; end: number }> {
  const r = new ProtoReader(bytes);
  let groupStart = 0;
  while (r.pos < r.end) {
    const entryStart = r.pos;
    try {
      r.skip(r.tag());
    } catch (error) {
      if (entryStart > groupStart) yield { start: groupStart, end: entryStart };
      throw error;
    }
    if (r.pos - groupStart > maxBytes && entryStart > groupStart) {
      yield { start: groupStart, end: entryStart };
      groupStart = entryStart;
    }
  }
  if (groupStart < bytes.length) yield { start: groupStart, end: bytes.length };
}

/** The messages of a Collector `proto` file (4-byte big-endian length, then the message), with their offsets. */
export function* lengthPrefixedMessages(bytes: Uint8Array): Generator<{ bytes: Uint8Array; offset: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      throw new OtlpDecodeError(`truncated length prefix at byte ${count(offset)}`);
    }
    const length = view.getUint32(offset);
    if (offset + 4 + length > bytes.length) {
      throw new OtlpDecodeError(`message of ${count(length)} bytes at byte ${count(offset)} runs past the end`);
    }
    yield { bytes: bytes.subarray(offset + 4, offset + 4 + length), offset };
    offset += 4 + length;
  }
}

/** A JSON piece, or the error that makes it unusable. */
export function jsonPiece(text: string, where: string): PieceOrError {
  try {
    const value = parseOtlpJsonText(text);
    return { signal: jsonSignalOf(value), encoding: "json", value, text, where };
  } catch (error) {
    return { error: { where, message: (error as Error).message } };
  }
}

/**
 * A whole JSON document starting on line `firstLine` as a piece. A syntax error in a document laid
 * out over lines (pretty-printed) is placed at its own line and column, not at the document's first line.
 */
export function documentPiece(text: string, firstLine: number): PieceOrError {
  const where = `line ${firstLine}`;
  try {
    const value = parseOtlpJsonText(text);
    return { signal: jsonSignalOf(value), encoding: "json", value, text, where };
  } catch (error) {
    const at =
      error instanceof JsonSyntaxError && error.position !== null
        ? lineAndColumn(text, error.position, firstLine)
        : null;
    return { error: { where: at ?? where, message: (error as Error).message } };
  }
}

/** `line L, column C` of an offset in a text of several lines; null for one line (its line says where). */
function lineAndColumn(text: string, position: number, firstLine: number): string | null {
  if (!text.trimEnd().includes("\n")) return null;
  let line = firstLine;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < position; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${position - lineStart + 1}`;
}

function protobufPiece(bytes: Uint8Array, where: string): PieceOrError {
  try {
    return { signal: protobufSignalOf(bytes), encoding: "protobuf", bytes, where };
  } catch (error) {
    return { error: { where, message: (error as Error).message } };
  }
}

/** What a body in none of the formats is answered (a gzip body is inflated once: gzip inside it is none). */
export const NO_FORMAT_MESSAGE =
  "not OTLP JSON, JSON Lines, protobuf or gzip (it starts with neither '{' nor a protobuf field)";

/**
 * Compressions told by their magic bytes that are not read (only gzip is): named, so that a `.zst` file
 * or body is answered with what to do, not as bytes in no format.
 */
const UNREAD_COMPRESSIONS: [string, number[]][] = [
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["bzip2", [0x42, 0x5a, 0x68]],
];

/** What gzip data that inflates to none of the formats is answered: the gzip is fine, what it holds is not. */
export const NO_FORMAT_INSIDE_GZIP_MESSAGE =
  "gzip data holding no OTLP JSON, JSON Lines or protobuf (what it inflates to starts with neither '{' nor a protobuf field)";

/**
 * Why bytes in none of the formats cannot be read: a compression that is not read, or NO_FORMAT_MESSAGE
 * (NO_FORMAT_INSIDE_GZIP_MESSAGE for what gzip data inflated to).
 */
export function noFormatMessage(bytes: Uint8Array, inflated = false): string {
  for (const [name, magic] of UNREAD_COMPRESSIONS) {
    if (magic.every((b, i) => bytes[i] === b)) {
      return `${name}-compressed data is not supported: only gzip (or no compression) is; decompress it first`;
    }
  }
  return inflated ? NO_FORMAT_INSIDE_GZIP_MESSAGE : NO_FORMAT_MESSAGE;
}

export interface SplitOptions {
  /** Line number of the body's first line in the file it came from (JSON Lines sent in batches). */
  firstLine?: number;
  /** Byte offset of the body in the file it came from. */
  firstByte?: number;
  /** Bound for inflating a gzip body. */
  maxInflatedBytes: number;
}

/**
 * Every export request in a whole body of any of the formats, in order; unusable parts (a bad line,
 * a broken message) come as errors between them, so the rest still imports.
 */
export function* otlpPieces(body: Uint8Array, options: SplitOptions): Generator<PieceOrError> {
  const firstByte = options.firstByte ?? 0;
  let bytes = body;
  const inflated = isGzip(bytes);
  if (inflated) {
    try {
      bytes = gunzipBounded(bytes, options.maxInflatedBytes);
    } catch (error) {
      yield { error: { where: `byte ${firstByte}`, message: (error as Error).message } };
      return;
    }
  }
  const format = formatOf(bytes);
  if (format === null) {
    yield {
      error: {
        where: `byte ${firstByte}`,
        message: noFormatMessage(bytes, inflated),
      },
    };
    return;
  }
  if (format === "protobuf") {
    yield protobufPiece(bytes, `byte ${firstByte}`);
    return;
  }
  if (format === "protobuf-stream") {
    try {
      for (const message of lengthPrefixedMessages(bytes)) {
        yield protobufPiece(message.bytes, `byte ${firstByte + message.offset}`);
      }
    } catch (error) {
      yield { error: { where: "end of data", message: (error as Error).message } };
    }
    return;
  }
  yield* jsonPieces(new TextDecoder().decode(bytes), options.firstLine ?? 1);
}

/** Text without a leading UTF-8 byte order mark (TextDecoder drops it; Buffer#toString keeps it). */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lines that are not blank looked at for a whole request, past damaged ones, before a body or file is taken for one document. */
export const OPENING_LINES = 10;

/** Whether a line is a whole OTLP request of its own; an empty one (`{}`) says nothing of a file's layout. */
export function isRequestLine(line: string): boolean {
  const piece = jsonPiece(withoutBom(line), "");
  return "value" in piece && Object.keys(piece.value as object).length > 0;
}

/**
 * Whether one of the first OPENING_LINES lines of `text` that are not blank, after its first line, is
 * a whole OTLP request of its own (an empty one, `{}`, says nothing of the layout): JSON Lines whose
 * first lines are damaged. A document laid out over lines has none: its lines are parts of it.
 */
export function laterLineIsRequest(text: string): boolean {
  let start = text.indexOf("\n") + 1;
  for (let looked = 1; start > 0 && start < text.length && looked < OPENING_LINES; ) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    looked++;
    if (isRequestLine(line)) return true;
  }
  return false;
}

/**
 * A JSON body: JSON Lines when more lines follow its first and that line is a document of its own,
 * or one of the next lines is a whole request (the first ones damaged); else one document (whatever
 * its layout).
 */
function* jsonPieces(text: string, firstLine: number): Generator<PieceOrError> {
  const lineEnd = text.indexOf("\n");
  if (lineEnd !== -1 && lineEnd < text.trimEnd().length) {
    const first = jsonPiece(text.slice(0, lineEnd), `line ${firstLine}`);
    if (!("error" in first) || laterLineIsRequest(text)) {
      if (text.slice(0, lineEnd).trim() !== "") yield first;
      yield* jsonLines(text, lineEnd + 1, firstLine + 1);
      return;
    }
  }
  yield documentPiece(text, firstLine);
}

function* jsonLines(text: string, from: number, firstLine: number): Generator<PieceOrError> {
  let line = firstLine;
  for (let start = from; start < text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const content = text.slice(start, end);
    if (content.trim() !== "") yield jsonPiece(content, `line ${line}`);
    start = end + 1;
  }
}
