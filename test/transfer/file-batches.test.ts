/**
 * A file read for import: in chunks that end at a line's end, so that the batches of a JSON Lines file
 * are views of the chunks they were read in, with the same bytes and line numbers as batches of the
 * file read any other way.
 */
import { createReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileChunks, type ImportBatch, importBatches, MAX_DOCUMENT_BYTES } from "../../src/transfer/file-batches.js";
import { tempDir } from "../helpers/app.js";
import { jsonTraceRequest } from "../helpers/payloads.js";

const dir = tempDir();
afterAll(() => dir.remove());

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A JSON Lines file of `lines` trace requests of different lengths (one long line among them). */
function writeLines(name: string, lines: number, longLine = -1): { path: string; text: string } {
  let text = "";
  for (let i = 0; i < lines; i++) {
    const spans = Array.from({ length: i === longLine ? 400 : 1 + (i % 7) }, (_, s) => ({ name: `op-${i}-${s}` }));
    text += `${JSON.stringify(jsonTraceRequest(`service-${i}`, spans))}\n`;
  }
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return { path, text };
}

const shown = (batches: ImportBatch[]) =>
  batches.map((batch) => `${batch.firstLine} ${batch.jsonLines} ${Buffer.from(batch.body).toString()}`);

describe("importBatches", () => {
  it("refuses a zstd file saying that zstd is not supported and gzip is, with no byte: the whole file is", async () => {
    async function* input() {
      yield Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x03, 0x19, 0x00, 0x00, 0x61, 0x62, 0x63]);
    }
    const error = await all(importBatches(input())).catch((thrown: Error) => thrown);
    expect((error as Error).message).toBe(
      "zstd-compressed data is not supported: only gzip (or no compression) is; decompress it first",
    );
  });

  it("refuses xz and bzip2 files with no byte either", async () => {
    for (const magic of [
      [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00],
      [0x42, 0x5a, 0x68, 0x39, 0x31],
    ]) {
      async function* input() {
        yield Buffer.from(magic);
      }
      const error = await all(importBatches(input())).catch((thrown: Error) => thrown);
      expect((error as Error).message).toMatch(/-compressed data is not supported: .*; decompress it first$/);
    }
  });

  it("still says where a file in none of the formats starts to be none", async () => {
    async function* input() {
      yield Buffer.from("hello, world");
    }
    const error = await all(importBatches(input())).catch((thrown: Error) => thrown);
    expect((error as Error).message).toMatch(/^not OTLP JSON, .* at byte 0$/);
  });

  it("copies a batch's lines when they are not one after the other in memory, though its first and last share a buffer", async () => {
    const line = (service: string) => `${JSON.stringify(jsonTraceRequest(service, [{ name: "op" }]))}\n`;
    const long = line(`long-${"x".repeat(5000)}`);
    const [a, b, c, x] = ["svc-a", "svc-b", "svc-c", "svc-x"].map(line) as [string, string, string, string];
    const size = a.length;
    expect([b.length, c.length, x.length]).toEqual([size, size, size]);
    // Chunks as stdin or gunzip hand them out from Node's shared pool: a and c lie in one buffer with x
    // between them, b in memory of its own.
    const shared = Buffer.from(a + x + c);
    async function* input() {
      yield Buffer.from(long);
      yield shared.subarray(0, size);
      yield Buffer.from(b);
      yield shared.subarray(2 * size, 3 * size);
    }
    const options = { maxBatchBytes: Buffer.byteLength(long), maxWholeBytes: 1 << 24 };
    const batches = await all(importBatches(input(), options));
    expect(shown(batches)).toEqual([`1 true ${long}`, `2 true ${a}${b}${c}`]);
  });
});

describe("importBatches after blank lines", () => {
  it("reads a JSON document after more blank lines than the first look takes in, not as protobuf", async () => {
    const document = JSON.stringify(jsonTraceRequest("after-blank-lines", [{ name: "op" }]));
    async function* input() {
      yield Buffer.from("\n".repeat(10_000));
      yield Buffer.from(document);
    }
    const batches = await all(importBatches(input(), { maxBatchBytes: 1 << 20, maxWholeBytes: 1 << 24 }));
    expect(batches.map((batch) => Buffer.from(batch.body).toString().trim())).toEqual([document]);
  });
});

describe("importBatches for one JSON document", () => {
  // Laid out over lines, as a saved document is: not JSON Lines, so it is read whole.
  const spans = Array.from({ length: 50 }, (_, i) => ({ name: `op ${i}` }));
  const document = JSON.stringify(jsonTraceRequest("whole", spans), null, 2);
  const size = Buffer.byteLength(document);

  it("refuses one larger than a string can hold before holding it whole, and reads one that fits", async () => {
    let linesRead = 0;
    async function* input() {
      for (const line of document.split("\n")) {
        linesRead++;
        yield Buffer.from(`${line}\n`);
      }
    }
    const options = { maxBatchBytes: 1 << 20, maxWholeBytes: 1 << 24, maxDocumentBytes: 2000 };
    await expect(all(importBatches(input(), options))).rejects.toThrow(
      "larger than 2 KiB (2,000 bytes), the most read whole (use JSON Lines)",
    );
    expect(linesRead).toBeLessThan(document.split("\n").length);
    const fits = await all(importBatches(input(), { ...options, maxDocumentBytes: size + 1 }));
    expect(fits.map((batch) => Buffer.from(batch.body).toString().trim())).toEqual([document]);
  });

  it("names the line and column of a syntax error in one larger than a batch, as in a smaller one", async () => {
    const lines = document.split("\n");
    const broken = lines.findIndex((line, i) => i > 20 && line.endsWith(","));
    lines[broken] = (lines[broken] as string).slice(0, -1);
    async function* input() {
      yield Buffer.from(lines.join("\n"));
    }
    const column = (lines[broken + 1] as string).search(/\S/) + 1;
    const error = await all(importBatches(input(), { maxBatchBytes: 1024, maxWholeBytes: 1 << 24 })).catch(
      (thrown: Error) => thrown,
    );
    expect(size).toBeGreaterThan(1024);
    expect((error as Error).message).toMatch(
      new RegExp(`^line ${broken + 2}, column ${column}: body is not valid JSON \\(`),
    );
  });

  it("takes by default no more bytes than V8's longest string has chars", () => {
    expect(MAX_DOCUMENT_BYTES).toBeLessThanOrEqual(0x1fffffe8);
    expect(MAX_DOCUMENT_BYTES).toBeGreaterThan(1 << 28);
  });
});

describe("importBatches for a file of one request on one line", () => {
  const resources = (traceId: (i: number) => string) =>
    Array.from({ length: 8 }, (_, r) => ({
      resource: { attributes: [{ key: "service.name", value: { stringValue: `svc-${r}-${"x".repeat(400)}` } }] },
      scopeSpans: [{ spans: [{ traceId: traceId(r), spanId: "00f067aa0ba902b7", name: `op-${r}` }] }],
    }));
  const options = { maxBatchBytes: 1024, maxWholeBytes: 1 << 24 };
  async function* input(text: string) {
    yield Buffer.from(text);
  }

  it("reads OTLP as one line of JSON Lines, not as a document split by its resources", async () => {
    const line = `${JSON.stringify({ resourceSpans: resources((r) => `${r}bf92f3577b34da6a3ce929d0e0e4736`) })}\n`;
    expect(Buffer.byteLength(line)).toBeGreaterThan(options.maxBatchBytes);
    const batches = await all(importBatches(input(line), options));
    expect(shown(batches)).toEqual([`1 true ${line}`]);
  });

  it("reads Tempo's answer as a document, converted, however far into the line its first trace id is", async () => {
    const base64 = (r: number) => Buffer.from(`${r}bf92f3577b34da6a3ce929d0e0e4736`, "hex").toString("base64");
    const far = resources(base64);
    (far[0] as { resource: { attributes: unknown[] } }).resource.attributes.push({
      key: "process.command_args",
      value: { stringValue: "a".repeat(100 * 1024) },
    });
    const line = `${JSON.stringify({ resourceSpans: far })}\n`;
    const batches = await all(importBatches(input(line), options));
    expect(batches.every((batch) => !batch.jsonLines)).toBe(true);
    const text = batches.map((batch) => Buffer.from(batch.body).toString()).join("");
    expect(text).toContain('"traceId":"0bf92f3577b34da6a3ce929d0e0e4736"');
    expect(text).not.toContain(base64(0));
  });
});

describe("fileChunks", () => {
  it("reads the whole file, each chunk but the last ending at a line's end, a line longer than a chunk in pieces", async () => {
    const { path, text } = writeLines("lines.jsonl", 40, 17);
    const chunks = await all(fileChunks(path, 4096));
    expect(Buffer.concat(chunks).toString()).toBe(text);
    expect(chunks.length).toBeGreaterThan(5);
    // The long line (over 4 KiB) is read as chunks that end inside it, not at a newline.
    const cutInLine = chunks.filter((chunk) => chunk[chunk.length - 1] !== 0x0a);
    expect(cutInLine.length).toBeGreaterThan(0);
    let at = 0;
    for (const chunk of chunks.slice(0, -1)) {
      at += chunk.length;
      const inLongLine = cutInLine.includes(chunk);
      if (!inLongLine) expect(text[at - 1]).toBe("\n");
    }
  });

  it("reads a file without a newline at its end, and an empty file", async () => {
    const path = join(dir.path, "no-newline.jsonl");
    writeFileSync(path, '{"resourceSpans":[]}\n{"resourceSpans":[]}');
    expect(Buffer.concat(await all(fileChunks(path, 16))).toString()).toBe(
      '{"resourceSpans":[]}\n{"resourceSpans":[]}',
    );
    const empty = join(dir.path, "empty.jsonl");
    writeFileSync(empty, "");
    expect(await all(fileChunks(empty))).toEqual([]);
  });

  it("fails as a read stream does for a file that is missing or a directory", async () => {
    await expect(all(fileChunks(join(dir.path, "missing.jsonl")))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(all(fileChunks(dir.path))).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("gives the same batches as the file read as a stream, most of them views of a chunk", async () => {
    const { path } = writeLines("batches.jsonl", 300, 123);
    const options = { maxBatchBytes: 2048, maxWholeBytes: 1 << 24 };
    const streamed = await all(importBatches(createReadStream(path, { highWaterMark: 1000 }), options));
    const memory = new Set<ArrayBufferLike>();
    const chunks = async function* () {
      for await (const chunk of fileChunks(path, 16 * 1024)) {
        memory.add(chunk.buffer);
        yield chunk;
      }
    };
    const chunked = await all(importBatches(chunks(), options));
    expect(shown(chunked)).toEqual(shown(streamed));
    expect(chunked.length).toBeGreaterThan(20);
    // Views: a batch of one chunk's lines is in that chunk's memory; the others are copies.
    const views = chunked.filter((batch) => memory.has(batch.body.buffer));
    expect(views.length).toBeGreaterThan(chunked.length / 2);
  });
});
