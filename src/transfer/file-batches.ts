/**
 * A file (or stdin) of OTLP → bounded request bodies ("batches") that `POST /api/import` and the
 * offline importer read, without holding a JSON Lines file in memory: lines are grouped into batches
 * of at most about `maxBatchBytes`, each numbered by its first line. A single JSON document or a
 * protobuf file is read whole (up to `maxWholeBytes`) and split by its top-level entries.
 */
import { constants as bufferConstants } from "node:buffer";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { byteSize } from "../domain/size-text.js";
import { OtlpDecodeError } from "../otlp/errors.js";
import {
  documentPiece,
  formatOf,
  isGzip,
  isRequestLine,
  lengthPrefixedMessages,
  NO_FORMAT_INSIDE_GZIP_MESSAGE,
  NO_FORMAT_MESSAGE,
  noFormatMessage,
  OPENING_LINES,
  protobufEntryGroups,
  protobufSignalOf,
  withoutBom,
} from "../otlp/files.js";
import { scanRequest } from "../otlp/json/scan.js";
import { type RequestLimits, runToEnd } from "../otlp/limits.js";
import { isWhiteSpace } from "./blank-input.js";
import { jaegerDocumentAsOtlp } from "./jaeger-json.js";
import { mayBeTempoDocument, tempoDocumentAsOtlp } from "./tempo-json.js";

export interface ImportBatch {
  /** A whole request body in one of the file formats (never gzip: that is undone here). */
  body: Uint8Array;
  /** Line of the file the body starts on (JSON), for error locations. */
  firstLine: number;
  /** Byte of the (uncompressed) file the body starts at (protobuf), for error locations. */
  firstByte: number;
  /** Whole lines of a JSON Lines file: each line is a request of its own, a bad one included. */
  jsonLines: boolean;
}

export interface BatchOptions {
  maxBatchBytes: number;
  /** Bound for a file that has to be read whole (one JSON document, protobuf). */
  maxWholeBytes: number;
  /**
   * Tighter bound for one JSON document (default MAX_DOCUMENT_BYTES), which is parsed as one string:
   * past it the document is refused with the same message, before it is held whole.
   */
  maxDocumentBytes?: number;
}

/**
 * The largest JSON document read whole: the longest string V8 makes (0x1fffffe8 chars). UTF-8 never
 * decodes to more chars than it has bytes, so a document this many bytes long fits in one string;
 * a larger one would fail inside the parse with V8's own error, after gigabytes were read.
 */
export const MAX_DOCUMENT_BYTES = bufferConstants.MAX_STRING_LENGTH;

export const DEFAULT_BATCH_OPTIONS: BatchOptions = { maxBatchBytes: 4 * 1024 * 1024, maxWholeBytes: 1024 ** 3 };

/** Reads chunks with one chunk of look-ahead put back. */
class ChunkSource {
  private pending: Uint8Array[] = [];
  constructor(private readonly iterator: AsyncIterator<Uint8Array>) {}

  async next(): Promise<Uint8Array | null> {
    const held = this.pending.pop();
    if (held !== undefined) return held;
    const result = await this.iterator.next();
    return result.done === true ? null : toBytes(result.value);
  }

  unshift(chunk: Uint8Array): void {
    this.pending.push(chunk);
  }

  /** At least `n` bytes from the start (fewer at the end of the data), put back for the next reads. */
  async peek(n: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < n) {
      const chunk = await this.next();
      if (chunk === null) break;
      chunks.push(chunk);
      size += chunk.length;
    }
    const head = Buffer.concat(chunks);
    if (head.length > 0) this.unshift(head);
    return head;
  }

  /**
   * Whether the data holds nothing but white space, looked at up to its end or until more than `limit`
   * bytes were read (then false); what was read is put back for the next reads.
   */
  async onlyWhiteSpace(limit: number): Promise<boolean> {
    const read: Uint8Array[] = [];
    let size = 0;
    let blank = true;
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) {
      read.push(chunk);
      size += chunk.length;
      if (!isWhiteSpace(chunk) || size > limit) {
        blank = false;
        break;
      }
    }
    // `pending` is read from its end: the first chunk read goes back last.
    for (let i = read.length - 1; i >= 0; i--) this.unshift(read[i] as Uint8Array);
    return blank;
  }

  async rest(limit: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) {
      size += chunk.length;
      if (size > limit)
        throw new OtlpDecodeError(
          `larger than ${byteSize(limit, { exact: true })}, the most read whole (use JSON Lines)`,
        );
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}

/** A stream's chunk as bytes (a stream in text mode gives strings). */
function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk));
}

/** How many bytes the first look decides the format from (leading white space included). */
const SNIFF_BYTES = 4096;

/** Thrown for a file or stream with nothing in it but white space (or nothing once gunzipped). */
export class EmptyInputError extends OtlpDecodeError {
  constructor(message = "the file is empty") {
    super(message);
  }
}

/**
 * The batches of one file or stream. Throws OtlpDecodeError (with a byte or line) for data that is
 * none of the formats or cannot be split; pieces inside a batch are checked by whoever imports it.
 */
export async function* importBatches(
  input: AsyncIterable<Uint8Array | string>,
  options: BatchOptions = DEFAULT_BATCH_OPTIONS,
): AsyncGenerator<ImportBatch> {
  let source = new ChunkSource(input[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>);
  let head = await source.peek(SNIFF_BYTES);
  const inflated = isGzip(head);
  if (inflated) {
    const raw = source;
    const gunzip = Readable.from(
      (async function* () {
        for (let chunk = await raw.next(); chunk !== null; chunk = await raw.next()) yield chunk;
      })(),
    ).pipe(createGunzip());
    source = new ChunkSource(gunzipped(gunzip[Symbol.asyncIterator]()));
    head = await source.peek(SNIFF_BYTES);
  }
  if (head.length === 0) throw new EmptyInputError();
  // Blank lines are nothing to import, as an empty file: not protobuf, though a newline (0x0a) is how
  // a protobuf request starts. Only data with nothing but white space to its end counts.
  if (isWhiteSpace(head) && (await source.onlyWhiteSpace(options.maxWholeBytes))) {
    throw new EmptyInputError("the file holds nothing but white space");
  }
  const format = formatOf(head);
  if (format === null) {
    // A compression that is not read is the whole file's problem, not one at its first byte.
    const message = noFormatMessage(head, inflated);
    if (message === NO_FORMAT_MESSAGE) throw new OtlpDecodeError(`${message} at byte 0`);
    if (message === NO_FORMAT_INSIDE_GZIP_MESSAGE) throw new OtlpDecodeError(`${message} at its byte 0`);
    throw new OtlpDecodeError(message);
  }
  if (format === "json") {
    yield* jsonBatches(source, options);
    return;
  }
  const bytes = await source.rest(options.maxWholeBytes);
  if (format === "protobuf") {
    protobufSignalOf(bytes);
    // Walked also when small: a request cut short imports the whole entries before the cut.
    for (const { start, end } of protobufEntryGroups(bytes, options.maxBatchBytes)) {
      yield { body: bytes.subarray(start, end), firstLine: 1, firstByte: start, jsonLines: false };
    }
    return;
  }
  yield* protobufStreamBatches(bytes, options.maxBatchBytes);
}

/** The chunks of a gzip stream; damaged or cut short, an OtlpDecodeError after the chunks inflated before it. */
async function* gunzipped(chunks: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw new OtlpDecodeError(`gzip data is broken (${(error as Error).message}) after what was read before it`);
    }
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * The Collector's length-prefixed protobuf: messages of one signal in a row are merged into a batch.
 * A message cut short ends it, after the batch of those before it.
 */
function* protobufStreamBatches(bytes: Uint8Array, maxBatchBytes: number): Generator<ImportBatch> {
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let batchSignal = "";
  let batchStart = 0;
  const flush = function* (): Generator<ImportBatch> {
    if (batch.length > 0) yield { body: Buffer.concat(batch), firstLine: 1, firstByte: batchStart, jsonLines: false };
    batch = [];
    batchBytes = 0;
  };
  const messages = lengthPrefixedMessages(bytes)[Symbol.iterator]();
  for (;;) {
    let next: IteratorResult<{ bytes: Uint8Array; offset: number }>;
    try {
      next = messages.next();
    } catch (error) {
      yield* flush();
      throw error;
    }
    if (next.done === true) break;
    const message = next.value;
    let signal: string;
    try {
      signal = protobufSignalOf(message.bytes);
    } catch {
      // Sent alone, so that the importer reports it at its own offset.
      yield* flush();
      yield { body: message.bytes, firstLine: 1, firstByte: message.offset, jsonLines: false };
      continue;
    }
    if (signal !== batchSignal || batchBytes + message.bytes.length > maxBatchBytes) {
      yield* flush();
      batchSignal = signal;
      batchStart = message.offset;
    }
    batch.push(message.bytes);
    batchBytes += message.bytes.length;
  }
  yield* flush();
}

/**
 * JSON: JSON Lines when one of the first lines that are not blank is a whole request of its own
 * (grouped into batches of whole lines; a bad line, those before it included, is an error of its
 * own), else one document, read whole and split by its resource entries when it is too big.
 */
async function* jsonBatches(source: ChunkSource, options: BatchOptions): AsyncGenerator<ImportBatch> {
  const lines = lineReader(source);
  const opening: Uint8Array[] = [];
  let jsonLines = false;
  let looked = 0;
  let firstRequest: Uint8Array | null = null;
  while (looked < OPENING_LINES && !jsonLines) {
    const next = await lines.next();
    if (next.done === true) break;
    const bytes = next.value;
    opening.push(bytes);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    if (text.trim() === "") continue;
    looked++;
    jsonLines = isRequestLine(text);
    if (jsonLines) firstRequest = bytes;
  }
  if (opening.length === 0) return;
  // A file of one request on one line that Tempo wrote (its trace answer, base64 ids) is read as one
  // document, so that it is converted as a pretty-printed one is. Told from its bytes, cheaply: any
  // other file of one line stays one line of JSON Lines, which costs a fraction of a document split
  // into batches (parsed to find its resources, then each batch parsed again).
  if (
    firstRequest !== null &&
    looked === 1 &&
    mayBeTempoDocument(firstRequest) &&
    (await onlyBlankLinesLeft(lines, opening))
  )
    jsonLines = false;
  if (!jsonLines) {
    const limit = Math.min(options.maxWholeBytes, options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES);
    let size = 0;
    const tooBig = () =>
      new OtlpDecodeError(`larger than ${byteSize(limit, { exact: true })}, the most read whole (use JSON Lines)`);
    for (const part of opening) size += part.length;
    if (size > limit) throw tooBig();
    for await (const line of lines) {
      size += line.length;
      if (size > limit) throw tooBig();
      opening.push(line);
    }
    yield* splitJsonDocument(Buffer.concat(opening), options.maxBatchBytes);
    return;
  }
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let batchLine = 1;
  let lineNumber = 0;
  const add = function* (line: Uint8Array): Generator<ImportBatch> {
    lineNumber++;
    if (batchBytes + line.length > options.maxBatchBytes && batch.length > 0) {
      yield { body: joined(batch, batchBytes), firstLine: batchLine, firstByte: 0, jsonLines: true };
      batch = [];
      batchBytes = 0;
    }
    if (batch.length === 0) batchLine = lineNumber;
    batch.push(line);
    batchBytes += line.length;
  };
  const last = (): ImportBatch => ({
    body: joined(batch, batchBytes),
    firstLine: batchLine,
    firstByte: 0,
    jsonLines: true,
  });
  for (const line of opening) yield* add(line);
  try {
    for await (const line of lines) yield* add(line);
  } catch (error) {
    // The data broke off (gzip cut short): the whole lines read before it go in first.
    if (batch.length > 0) yield last();
    throw error;
  }
  if (batch.length > 0) yield last();
}

/** Reads lines into `read` up to the first that is not blank: true when there is none (the data ended). */
async function onlyBlankLinesLeft(lines: AsyncGenerator<Uint8Array>, read: Uint8Array[]): Promise<boolean> {
  for (;;) {
    const next = await lines.next();
    if (next.done === true) return true;
    read.push(next.value);
    if (!isWhiteSpace(next.value)) return false;
  }
}

/**
 * Lines in a row as one body: a view of their memory when they lie one after the other in it (lines of
 * one chunk, as `fileChunks` reads them), else a copy. Each pair is checked: the first and last alone
 * prove nothing, as chunks of stdin or gunzip are pieces of Node's shared pool, where one line's memory
 * may lie between two others' while a line in between is elsewhere.
 */
function joined(lines: readonly Uint8Array[], size: number): Uint8Array {
  const first = lines[0] as Uint8Array;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as Uint8Array;
    if (line.buffer !== first.buffer || line.byteOffset !== end) return Buffer.concat(lines, size);
    end += line.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, size);
}

/** How much `fileChunks` reads at a time: more than a batch, so that most batches are views of one chunk. */
const FILE_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * A file's bytes in chunks that end at a line's end (but the last, and one of a line longer than a
 * chunk): the start of a line a read cut off is carried to the front of the next chunk, so lines, and
 * the batches of them, are views of a chunk, not copies. Each chunk is memory of its own, never reused.
 */
export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const file = await open(path, "r");
  try {
    let carried: Uint8Array = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.allocUnsafeSlow(Math.max(chunkBytes, carried.length * 2));
      chunk.set(carried, 0);
      let filled = carried.length;
      let ended = false;
      while (filled < chunk.length && !ended) {
        const { bytesRead } = await file.read(chunk, filled, chunk.length - filled, null);
        filled += bytesRead;
        ended = bytesRead === 0;
      }
      const lineEnd = ended ? filled : chunk.lastIndexOf(0x0a, filled - 1) + 1;
      // No line ends in it: all of it goes (a line longer than a chunk is joined by the line reader).
      const cut = lineEnd > 0 ? lineEnd : filled;
      if (cut > 0) yield chunk.subarray(0, cut);
      carried = chunk.subarray(cut, filled);
      if (ended) return;
    }
  } finally {
    await file.close();
  }
}

/** Lines with their newline. */
async function* lineReader(source: ChunkSource): AsyncGenerator<Uint8Array> {
  // The start of a line that continues in the next chunk, in pieces (joined once, when it ends).
  let partial: Uint8Array[] = [];
  for (let chunk = await source.next(); chunk !== null; chunk = await source.next()) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const end = chunk.subarray(start, nl + 1);
      if (partial.length === 0) {
        yield end;
      } else {
        partial.push(end);
        yield Buffer.concat(partial);
        partial = [];
      }
      start = nl + 1;
    }
    // Copied: a stream may reuse a chunk's memory.
    if (start < chunk.length) partial.push(Buffer.from(chunk.subarray(start)));
  }
  if (partial.length > 0) yield Buffer.concat(partial);
}

/**
 * Limits for finding a document's resource entries: none but its size (maxWholeBytes). Each batch is
 * checked against the request limits when it is imported, so an entry too deep costs only its batch.
 */
const SPLIT_LIMITS: RequestLimits = {
  maxItems: Number.POSITIVE_INFINITY,
  maxDataPoints: Number.POSITIVE_INFINITY,
  maxGroups: Number.POSITIVE_INFINITY,
  maxValues: Number.POSITIVE_INFINITY,
  maxJsonDepth: 1 << 16,
};

/**
 * One JSON document as batches: whole when small enough, else its resource entries in groups. Each
 * entry keeps its bytes as the file has them (written again by JSON.stringify, a -0 became 0).
 */
function* splitJsonDocument(document: Uint8Array, maxBatchBytes: number): Generator<ImportBatch> {
  // Traces saved from Jaeger or Tempo are read as the OTLP they stand for.
  const bytes = jaegerDocumentAsOtlp(document) ?? tempoDocumentAsOtlp(document) ?? document;
  if (bytes.length <= maxBatchBytes) {
    yield { body: bytes, firstLine: 1, firstByte: 0, jsonLines: false };
    return;
  }
  // Read as a small document's batch is, so that a syntax error is named at its line and column.
  const piece = documentPiece(withoutBom(Buffer.from(bytes).toString("utf8")), 1);
  if ("error" in piece) throw new OtlpDecodeError(`${piece.error.where}: ${piece.error.message}`);
  const value = ("value" in piece ? piece.value : {}) as Record<string, unknown>;
  const field = Object.keys(value).find((key) => key.startsWith("resource"));
  const entries = field === undefined ? undefined : value[field];
  if (field === undefined || !Array.isArray(entries)) {
    yield { body: bytes, firstLine: 1, firstByte: 0, jsonLines: false };
    return;
  }
  // Where the entries are: the list JSON.parse read under that key (the last one of that name). A key
  // written with escapes is not found so: its entries are written again.
  const list = runToEnd(scanRequest(bytes, { levels: [[field]], items: "items" }, SPLIT_LIMITS))?.lists[0];
  const texts =
    list === undefined
      ? entries.map((entry) => Buffer.from(JSON.stringify(entry)))
      : list.groups.map((entry) => bytes.subarray(entry.start, entry.end));
  const open = Buffer.from(`{"${field}":[`);
  const comma = Buffer.from(",");
  const close = Buffer.from("]}");
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const body = () => Buffer.concat([open, ...group, close]);
  for (const text of texts) {
    if (groupBytes + text.length > maxBatchBytes && group.length > 0) {
      yield { body: body(), firstLine: 1, firstByte: 0, jsonLines: false };
      group = [];
      groupBytes = 0;
    }
    if (group.length > 0) group.push(comma);
    group.push(text);
    groupBytes += text.length + 1;
  }
  if (group.length > 0) yield { body: body(), firstLine: 1, firstByte: 0, jsonLines: false };
}
