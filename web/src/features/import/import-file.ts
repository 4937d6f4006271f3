import { addImportTally, emptyImportTally } from "../../../../src/domain/import-tally";
import type { ImportResponse } from "../../../../src/protocol";
import { ApiError, api } from "../../api/client";
import { InflateError, InflatingReader } from "./inflating-reader";

/** Files up to this size go in one request; larger JSON Lines files go in parts of whole lines this large at most. */
const PART_BYTES = 8 * 1024 * 1024;
/** Lines looked at to tell JSON Lines from one JSON document, as `tracekit-local import` looks (damaged lines at the start are passed over). */
const SNIFF_LINES = 10;
/** Errors kept per import, as the server keeps per request. */
const MAX_ERRORS = 20;
const NEWLINE = 0x0a;

/** Whether a line is a whole OTLP request on its own (what makes a file JSON Lines). */
function isRequestLine(line: Uint8Array): boolean {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(line));
    return (
      typeof value === "object" &&
      value !== null &&
      ("resourceSpans" in value || "resourceLogs" in value || "resourceMetrics" in value)
    );
  } catch {
    return false;
  }
}

function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** The answers of a file's parts, added up as one answer for the whole file. */
function addAnswer(total: ImportResponse, part: ImportResponse, traceIds: Set<string>): void {
  for (const id of part.traceIds) traceIds.add(id);
  total.traces = traceIds.size;
  addImportTally(total, part);
  total.evicted.traces += part.evicted.traces;
  total.evicted.spans += part.evicted.spans;
  total.evicted.logRecords += part.evicted.logRecords;
  for (const error of part.errors) if (total.errors.length < MAX_ERRORS) total.errors.push(error);
}

/** Bytes of a stream in one growing buffer, from which whole lines are taken off the front. */
class LineBuffer {
  private bytes = new Uint8Array(0);
  private length = 0;
  /** The last search that found no newline: none in [searchedFrom, searchedTo). */
  private searchedFrom = -1;
  private searchedTo = 0;

  push(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.length + chunk.length, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  get size(): number {
    return this.length;
  }

  /** Where the line holding byte `from` ends (its newline included), or -1 while it is not all here. */
  lineEnd(from: number): number {
    // A long line arrives over many reads: the search goes on where the last one for it stopped.
    const start = from === this.searchedFrom ? Math.max(from, this.searchedTo) : from;
    const at = this.bytes.subarray(0, this.length).indexOf(NEWLINE, start);
    this.searchedFrom = at === -1 ? from : -1;
    this.searchedTo = this.length;
    return at === -1 ? -1 : at + 1;
  }

  view(from: number, to: number): Uint8Array {
    return this.bytes.subarray(from, to);
  }

  /** Takes bytes [0, end) off the front, as a Blob of their own. */
  take(end: number): Blob {
    const part = new Blob([this.bytes.slice(0, end)]);
    this.bytes.copyWithin(0, end, this.length);
    this.length -= end;
    this.searchedFrom = -1;
    return part;
  }
}

/** What the CLI does that the page cannot: it reads a file of any size, and lines of any size. */
function cliHint(fileName: string): string {
  return `\`tracekit-local import ${fileName}\` imports it`;
}

/**
 * A file sent whole. One over what a request may be (32 MiB, or as much once inflated) is refused
 * with 413: the notice says where such a file can go.
 */
async function importWhole(file: File): Promise<ImportResponse> {
  try {
    return await api.importFile(file);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 413) throw error;
    throw new ApiError(413, error.code, `${error.message}; ${cliHint(file.name)}`);
  }
}

/**
 * Imports a dropped file: whole, or (a JSON Lines file, gzip or not, larger than PART_BYTES) in parts
 * of whole lines, each numbered by its first line, since one request may be at most 32 MiB and a
 * downloaded list grows past that. `progress` hears the share of the file sent so far.
 */
export async function importDroppedFile(file: File, progress: (share: number) => void): Promise<ImportResponse> {
  if (file.size <= PART_BYTES) return importWhole(file);
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  let stream: ReadableStream<Uint8Array> = file.stream();
  let read = 0;
  // The share read of the file itself (compressed bytes for gzip), counted as it is read.
  stream = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  const gzip = isGzip(head);
  const reader = gzip ? new InflatingReader(stream) : stream.getReader();
  const buffer = new LineBuffer();
  let done = false;
  /** Why a gzip file stopped inflating before its end (a download cut short), once it did. */
  let broken: string | null = null;
  const fill = async () => {
    try {
      const next = await reader.read();
      if (next.done) done = true;
      else buffer.push(next.value);
    } catch (error) {
      if (!(error instanceof InflateError)) throw error;
      // Its whole lines are imported, then the break is told, as `tracekit-local import` does.
      // (Chromium words it "Failed to execute 'close' on 'WritableStreamDefaultWriter': Compressed input was truncated.")
      const why = error.message.replace(/^Failed to execute .*?: /, "");
      broken = `gzip data is broken (${why}) after what was read before it`;
      done = true;
    }
  };

  // JSON Lines when one of the first lines is a request of its own; else the file goes whole.
  let jsonLines = false;
  let from = 0;
  for (let line = 0; line < SNIFF_LINES && !jsonLines; line++) {
    let end = buffer.lineEnd(from);
    while (end === -1 && !done && buffer.size - from <= PART_BYTES) {
      await fill();
      end = buffer.lineEnd(from);
    }
    if (end === -1 && !done) break; // a first line this long is one document's
    const to = end === -1 ? buffer.size : end;
    jsonLines = isRequestLine(buffer.view(from, to));
    if (end === -1) break;
    from = end;
  }
  if (!jsonLines) {
    await reader.cancel();
    return importWhole(file);
  }

  const total: ImportResponse = {
    ...emptyImportTally(),
    traces: 0,
    traceIds: [],
    errors: [],
    evicted: { traces: 0, spans: 0, logRecords: 0 },
  };
  const traceIds = new Set<string>();
  let firstLine = 1;
  // Parts go one at a time, each once the one before it is answered: what a log or metric line stores
  // depends on the lines before it (a line of records an earlier line holds is that line sent again;
  // a cumulative point is read against the one before it), and requests sent at once arrive in any order.
  /** Whole lines gathered for the next part, and how many. */
  let partEnd = 0;
  let partLines = 0;
  const send = async () => {
    const part = buffer.take(partEnd);
    try {
      addAnswer(total, await api.importFile(part, firstLine), traceIds);
    } catch (error) {
      // A part nothing could be read from is an error of its own, and so is a line larger than a
      // request may be (a part past PART_BYTES is that line alone): the rest goes on.
      if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 413)) throw error;
      const refused =
        error.status === 413
          ? { where: `line ${firstLine}`, message: `not sent: ${error.message}; ${cliHint(file.name)}` }
          : { where: "", message: error.message };
      if (total.errors.length < MAX_ERRORS) total.errors.push(refused);
    }
    firstLine += partLines;
    partEnd = 0;
    partLines = 0;
    progress(read / file.size);
  };
  for (;;) {
    const end = buffer.lineEnd(partEnd);
    if (end !== -1) {
      if (end > PART_BYTES && partEnd > 0) await send();
      else {
        partEnd = end;
        partLines++;
      }
      continue;
    }
    if (done) break;
    await fill();
  }
  // The last line may end without a newline, unless the file broke off in it.
  if (buffer.size > partEnd && broken === null) {
    partEnd = buffer.size;
    partLines++;
  }
  if (partEnd > 0) await send();
  // The break is told even past the errors kept: it says why the rest of the file is not there.
  if (broken !== null) total.errors.splice(MAX_ERRORS - 1, Number.POSITIVE_INFINITY, { where: "", message: broken });
  total.traceIds = [...traceIds];
  return total;
}
