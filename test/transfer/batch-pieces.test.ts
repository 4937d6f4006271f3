/**
 * The pieces of an import batch: the same pieces, in the same places, as otlpPieces gives, except
 * that the trace requests a fast reader reads come as its results; and each line of a JSON Lines
 * batch on its own, so that a bad line at the start of a batch costs only itself.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { otlpPieces, type PieceOrError } from "../../src/otlp/files.js";
import { type BatchPiece, batchPieces, isTraceRequestStart } from "../../src/transfer/batch-pieces.js";
import { jsonTraceRequest } from "../helpers/payloads.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");
const oneLine = (name: string) => JSON.stringify(JSON.parse(fixture(name)));
const OPTIONS = { firstLine: 7, firstByte: 0, maxInflatedBytes: 1 << 24, jsonLines: false };

/** A piece as a comparable line: where it is and what it is. */
function shown(piece: BatchPiece<string | null> | PieceOrError): string {
  if ("error" in piece) return `${piece.error.where}: error ${piece.error.message}`;
  if ("fast" in piece) return `${piece.where}: fast ${piece.fast}`;
  return `${piece.where}: ${piece.signal} ${piece.encoding}${piece.encoding === "json" ? ` ${JSON.stringify(piece.value)}` : ""}`;
}

/** A fast reader of trace requests (standard JSON only) that gives the value it read, as JSON. */
function readAll(bytes: Uint8Array): string | null {
  if (!isTraceRequestStart(bytes)) return null;
  try {
    return JSON.stringify(JSON.parse(Buffer.from(bytes).toString()));
  } catch {
    return null;
  }
}

const traces = (service: string) => JSON.stringify(jsonTraceRequest(service, [{ name: "a" }]));

/** A pretty-printed request missing a comma before its spans. */
const BROKEN_PRETTY = JSON.stringify(JSON.parse(traces("a")), null, 2).replace(/,\n(\s*"spans")/, "\n$1");

/** Bodies that test the JSON Lines rules: first lines, blank lines, white space, byte order marks, other formats. */
const BODIES = [
  `${traces("a")}\n${oneLine("logs.json")}\n{not json\n\n${oneLine("metrics.json")}\n{"x":1}\n${traces("b")}`,
  `${traces("a")}\r\n${traces("b")}\r\n`,
  `\ufeff${traces("a")}\n${traces("b")}\n`,
  `${traces("a")}\n\ufeff${traces("b")}\n`,
  `${traces("a")}\n \u00a0\u2028 \n`,
  `${traces("a")}\n\u00a0\n${traces("b")}`,
  `${traces("a")}\n   \n`,
  `\n${traces("a")}\n${traces("b")}\n`,
  `{not json\n${traces("a")}\n`,
  JSON.stringify(JSON.parse(traces("a")), null, 2),
  `${JSON.stringify(JSON.parse(traces("a")), null, 2)}\n`,
  BROKEN_PRETTY,
  `{"resourceLogs":[],"resourceSpans":[]}\n${traces("a")}`,
  fixture("trace.json"),
  "just some text\n",
  "",
];

describe("batchPieces", () => {
  it("yields what otlpPieces yields, where it yields it", () => {
    let read = 0;
    for (const text of BODIES) {
      const body = Buffer.from(text);
      const general = [...otlpPieces(body, OPTIONS)].map(shown);
      expect([...batchPieces(body, OPTIONS, () => null)].map(shown), text).toEqual(general);
      // Read fast, a trace request is the same request in the same place.
      const fast = [...batchPieces(body, OPTIONS, readAll)].map(shown);
      read += fast.filter((line) => line.includes(": fast ")).length;
      expect(
        fast.map((line) => line.replace(": fast ", ": traces json ")),
        text,
      ).toEqual(general);
    }
    expect(read).toBeGreaterThan(10);
    // A pretty-printed document with a syntax error is named at the error's line, not its first one.
    const pretty = [...batchPieces(Buffer.from(BROKEN_PRETTY), OPTIONS, readAll)].map(shown);
    expect(pretty).toEqual([expect.stringMatching(/^line (?!7:)\d+, column \d+: error body is not valid JSON/)]);
    // Gzip is inflated first: its requests are the same, in the same places, and read fast too.
    const gzipped = gzipSync(`${traces("a")}\n${traces("b")}\n`);
    const unpacked = [...batchPieces(gzipped, OPTIONS, readAll)].map(shown);
    expect(unpacked.filter((line) => line.includes(": fast "))).toHaveLength(2);
    expect(unpacked.map((line) => line.replace(": fast ", ": traces json "))).toEqual(
      [...otlpPieces(gzipped, OPTIONS)].map(shown),
    );
    // Damaged gzip is an error where otlpPieces says it.
    const broken = gzipped.subarray(0, 12);
    expect([...batchPieces(broken, OPTIONS, readAll)].map(shown)).toEqual([...otlpPieces(broken, OPTIONS)].map(shown));
    // Gzip inside gzip is not read, with the same error.
    const twice = gzipSync(gzipped);
    expect([...batchPieces(twice, OPTIONS, readAll)].map(shown)).toEqual([...otlpPieces(twice, OPTIONS)].map(shown));
    expect([...batchPieces(twice, OPTIONS, readAll)].map(shown)).toEqual([
      expect.stringContaining("gzip data holding no OTLP JSON, JSON Lines or protobuf"),
    ]);
  });

  it("offers each line to the fast reader once; trace requests are told by their first key", () => {
    const offered: string[] = [];
    const body = Buffer.from(BODIES[0] as string);
    for (const _ of batchPieces(body, OPTIONS, (bytes) => {
      offered.push(Buffer.from(bytes).toString());
      return readAll(bytes);
    })) {
      // Read them all.
    }
    expect(offered).toEqual((BODIES[0] as string).split("\n"));
    expect(isTraceRequestStart(Buffer.from(' \r\n{ \t"resourceSpans" : []}'))).toBe(true);
    expect(isTraceRequestStart(Buffer.from('{"resourceLogs":[],"resourceSpans":[]}'))).toBe(false);
    expect(isTraceRequestStart(Buffer.from('{"resourceSpansX":[]}'))).toBe(false);
    expect(isTraceRequestStart(Buffer.from('\ufeff{"resourceSpans":[]}'))).toBe(false);
  });

  it("reads every line of a JSON Lines batch on its own, a bad first line included", () => {
    const text = `{not json\n${traces("a")}\n\n${oneLine("logs.json")}\n`;
    const pieces = [...batchPieces(Buffer.from(text), { ...OPTIONS, jsonLines: true }, readAll)].map(shown);
    expect(pieces.map((p) => p.slice(0, 20))).toEqual([
      "line 7: error body i",
      'line 8: fast {"resou',
      "line 10: logs json {",
    ]);
    // Without the hint too, as otlpPieces reads it: a line after the bad first one is a whole request.
    const unhinted = [...batchPieces(Buffer.from(text), OPTIONS, readAll)].map(shown);
    expect(unhinted).toEqual(pieces);
    expect([...otlpPieces(Buffer.from(text), OPTIONS)].map((p) => ("error" in p ? "error" : p.signal))).toEqual([
      "error",
      "traces",
      "logs",
    ]);
    // A document laid out over lines has no line that is a request of its own: one piece.
    const laidOut = `{"resourceSpans": [\n${JSON.stringify(JSON.parse(traces("b")).resourceSpans[0])}\n]}\n`;
    expect([...batchPieces(Buffer.from(laidOut), OPTIONS, readAll)].map(shown)).toHaveLength(1);
    expect([...otlpPieces(Buffer.from(laidOut), OPTIONS)].map((p) => "error" in p)).toEqual([false]);
  });
});
