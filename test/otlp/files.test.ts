import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  formatOf,
  type OtlpPiece,
  otlpPieces,
  type PieceOrError,
  protobufSignalOf,
  splitProtobufRequest,
} from "../../src/otlp/files.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { loadOtlpMetricsRoot, loadOtlpRoot, PKG } from "./helpers.js";
import { encodeLogRequest, loadOtlpLogsRoot, protoLogRequest } from "./log-sample-request.js";
import { protoRequest } from "./sample-request.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");
const OPTIONS = { maxInflatedBytes: 64 * 1024 * 1024 };

function traceProtobuf(): Uint8Array {
  const Request = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
  return Request.encode(Request.fromObject(protoRequest())).finish();
}

function metricsProtobuf(): Uint8Array {
  const Request = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceRequest`);
  return Request.encode(
    Request.fromObject({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
          scopeMetrics: [
            {
              scope: { name: "m" },
              metrics: [
                {
                  name: "requests",
                  unit: "1",
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [{ timeUnixNano: "1700000000000000000", asInt: "3" }],
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish();
}

function pieces(body: Uint8Array | string, firstLine?: number): PieceOrError[] {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return [...otlpPieces(bytes, { ...OPTIONS, ...(firstLine !== undefined ? { firstLine } : {}) })];
}

function summary(list: PieceOrError[]): string[] {
  return list.map((p) => ("error" in p ? `${p.error.where}: error` : `${p.where}: ${p.signal} ${p.encoding}`));
}

/** A Collector `proto` file: each message after its length as 4 bytes, big-endian. */
function lengthPrefixed(...messages: Uint8Array[]): Uint8Array {
  return Buffer.concat(
    messages.flatMap((m) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(m.length);
      return [length, m];
    }),
  );
}

describe("OTLP files", () => {
  it("tells the formats apart by their first bytes", () => {
    expect(formatOf(Buffer.from('  \n{"resourceSpans":[]}'))).toBe("json");
    expect(formatOf(Buffer.from('\ufeff{"a":1}'))).toBe("json");
    // Any number of blank lines before a document: JSON, not a protobuf request starting with 0x0a.
    expect(formatOf(Buffer.from(`${"\n".repeat(300)}  {"resourceSpans":[]}`))).toBe("json");
    expect(formatOf(Buffer.from(`${"\n \r\n\t".repeat(400)}{"resourceLogs":[]}`))).toBe("json");
    // A protobuf request whose lengths read `{` and `"` (123 and 34 bytes) is still protobuf.
    const lengths = Buffer.from([0x0a, 0x7b, 0x0a, 0x22, 0x0a, 0x20, 0x0a, 0x0c]);
    expect(formatOf(Buffer.concat([lengths, Buffer.from("service.name")]))).toBe("protobuf");
    expect(formatOf(traceProtobuf())).toBe("protobuf");
    expect(formatOf(lengthPrefixed(traceProtobuf()))).toBe("protobuf-stream");
    expect(formatOf(Buffer.from("hello"))).toBeNull();
    expect(formatOf(Buffer.from(""))).toBeNull();
  });

  it("reads the signal of each OTLP/JSON example, as one document in any layout", () => {
    expect(summary(pieces(fixture("trace.json")))).toEqual(["line 1: traces json"]);
    expect(summary(pieces(fixture("logs.json")))).toEqual(["line 1: logs json"]);
    expect(summary(pieces(fixture("metrics.json")))).toEqual(["line 1: metrics json"]);
    expect(summary(pieces(fixture("events.json")))).toEqual(["line 1: logs json"]);
  });

  it("reads the signal of protobuf requests from their first item", () => {
    expect(protobufSignalOf(traceProtobuf())).toBe("traces");
    expect(protobufSignalOf(encodeLogRequest(loadOtlpLogsRoot(), protoLogRequest()))).toBe("logs");
    expect(protobufSignalOf(metricsProtobuf())).toBe("metrics");
    expect(protobufSignalOf(new Uint8Array())).toBe("traces");
  });

  it("splits Collector JSON Lines of mixed signals, reporting a bad line by number while the rest reads", () => {
    const oneLine = (name: string) => JSON.stringify(JSON.parse(fixture(name)));
    const text = [
      oneLine("trace.json"),
      oneLine("logs.json"),
      "{not json",
      "",
      oneLine("metrics.json"),
      '{"x":1}',
    ].join("\n");
    const list = pieces(`${text}\n`, 10);
    expect(summary(list)).toEqual([
      "line 10: traces json",
      "line 11: logs json",
      "line 12: error",
      "line 14: metrics json",
      "line 15: error",
    ]);
    const errors = list.flatMap((p) => ("error" in p ? [p.error.message] : []));
    expect(errors[0]).toMatch(/not valid JSON/);
    expect(errors[1]).toMatch(/not an OTLP export request/);
  });

  it("reports a broken document as a whole, not line by line, where it stops", () => {
    const list = pieces('{\n  "resourceSpans": [\n');
    expect(summary(list)).toEqual(["line 2, column 21: error"]);
  });

  it("places a syntax error in a pretty-printed document at its own line and column", () => {
    const document = JSON.stringify(JSON.parse(fixture("trace.json")), null, 2).split("\n");
    // A comma missing at the end of a line: the parser stops at the first token of the next one.
    const broken = document.findIndex((line, i) => i > 8 && line.endsWith(","));
    document[broken] = (document[broken] as string).slice(0, -1);
    const list = pieces(document.join("\n"), 3);
    const column = (document[broken + 1] as string).search(/\S/) + 1;
    expect(summary(list)).toEqual([`line ${3 + broken + 1}, column ${column}: error`]);
    expect("error" in (list[0] as PieceOrError) && (list[0] as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );
  });

  it("places a document cut off after a whole value, then blank lines, where its content ends", () => {
    // V8 names the end of the text ("Expected ',' or ']' after array element … at position <length>").
    expect(summary(pieces('{\n "resourceSpans": [\n  {}\n\n\n'))).toEqual(["line 3, column 5: error"]);
    expect(summary(pieces('{\n "resourceSpans": [\n  {}\n  ]\n\n   \n'))).toEqual(["line 4, column 4: error"]);
  });

  it("places an unexpected token, which V8 names without a position, at its own line and column", () => {
    const document = (value: string) => `{\n  "resourceSpans": [\n    {\n      "kind": ${value}\n    }\n  ]\n}\n`;
    expect(summary(pieces(document("x")))).toEqual(["line 4, column 15: error"]);
    expect(summary(pieces(document("'x'")))).toEqual(["line 4, column 15: error"]);
    expect(summary(pieces(document("ture")))).toEqual(["line 4, column 16: error"]);
    // A trailing comma in an array: the bracket after it.
    const trailing = '{\n  "resourceSpans": [\n    {},\n  ]\n}\n';
    expect(summary(pieces(trailing))).toEqual(["line 4, column 3: error"]);
  });

  it("names the line of a document that holds a long integer, as the text has it", () => {
    const text = '{\n  "resourceSpans": [\n    {"n": 12345678901234567890},\n    {"a": 1,,}\n  ]\n}\n';
    expect(summary(pieces(text))).toEqual(["line 4, column 13: error"]);
  });

  it("inflates gzip by its magic bytes, within the bound", () => {
    expect(summary(pieces(gzipSync(fixture("trace.json"))))).toEqual(["line 1: traces json"]);
    expect(summary(pieces(gzipSync(traceProtobuf())))).toEqual(["byte 0: traces protobuf"]);
    const bomb = gzipSync(Buffer.alloc(10_000_000, 0x20));
    const [piece] = [...otlpPieces(bomb, { maxInflatedBytes: 1_000_000 })];
    expect(piece).toMatchObject({ error: { message: "gzip data inflates past 976.6 KiB (1,000,000 bytes)" } });
    expect(summary(pieces(Buffer.from([0x1f, 0x8b, 1, 2, 3])))).toEqual(["byte 0: error"]);
  });

  it("reads the Collector's length-prefixed protobuf, naming the offset of a broken message", () => {
    const trace = traceProtobuf();
    const metrics = metricsProtobuf();
    const file = lengthPrefixed(trace, metrics);
    expect(summary(pieces(file))).toEqual(["byte 0: traces protobuf", `byte ${4 + trace.length}: metrics protobuf`]);
    const truncated = file.subarray(0, file.length - 3);
    expect(summary(pieces(truncated))).toEqual(["byte 0: traces protobuf", "end of data: error"]);
  });

  it("groups the digits of the sizes and offsets its errors name", () => {
    const trace = traceProtobuf();
    const whole = lengthPrefixed(...Array.from({ length: Math.ceil(1000 / trace.length) + 1 }, () => trace));
    const cut = Buffer.alloc(8);
    cut.writeUInt32BE(12_345);
    const list = pieces(Buffer.concat([whole, cut]));
    const offset = whole.length.toLocaleString("en-US");
    expect(whole.length).toBeGreaterThan(1000);
    expect(list.at(-1)).toMatchObject({
      error: { message: `message of 12,345 bytes at byte ${offset} runs past the end` },
    });
  });

  it("splits a large protobuf request into smaller valid requests holding the same spans", () => {
    const Request = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
    const one = protoRequest() as { resourceSpans: unknown[] };
    const many = { resourceSpans: Array.from({ length: 20 }, () => one.resourceSpans).flat() };
    const bytes = Request.encode(Request.fromObject(many)).finish();
    const parts = splitProtobufRequest(bytes, Math.ceil(bytes.length / 5));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(Buffer.concat(parts)).toEqual(Buffer.from(bytes));
    const whole = decodeTraceRequestProtobuf(bytes).spans;
    const fromParts = parts.flatMap((part) => decodeTraceRequestProtobuf(part).spans);
    expect(fromParts).toStrictEqual(whole);
  });

  it("cuts a resource entry larger than the limit into entries of its scopes and spans, each under it", () => {
    const Request = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
    const span = (i: number) => ({
      traceId: Buffer.alloc(16, 0xab),
      spanId: Buffer.from(i.toString(16).padStart(16, "0"), "hex"),
      name: `span ${i} ${"x".repeat(200)}`,
      startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
      endTimeUnixNano: String(1_700_000_000_000_001_000n + BigInt(i)),
    });
    const resource = { attributes: [{ key: "service.name", value: { stringValue: "one" } }] };
    const request = {
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            { scope: { name: "a" }, spans: Array.from({ length: 300 }, (_, i) => span(i + 1)) },
            { scope: { name: "b" }, spans: Array.from({ length: 10 }, (_, i) => span(i + 301)) },
          ],
          schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
        },
      ],
    };
    const bytes = Request.encode(Request.fromObject(request)).finish();
    const maxBytes = 8 * 1024;
    const parts = splitProtobufRequest(bytes, maxBytes);
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(bytes.length / maxBytes));
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(maxBytes);
    const whole = decodeTraceRequestProtobuf(bytes).spans;
    const fromParts = parts.flatMap((part) => decodeTraceRequestProtobuf(part).spans);
    // Every span once, in order, under its own resource and scope.
    expect(fromParts).toStrictEqual(whole);
    expect(new Set(fromParts.map((s) => s.scope.name))).toEqual(new Set(["a", "b"]));
    const decoded = parts.map((part) => Request.toObject(Request.decode(part)) as typeof request);
    expect(
      decoded.every((d) => d.resourceSpans.every((r) => r.schemaUrl === request.resourceSpans[0]?.schemaUrl)),
    ).toBe(true);
  });

  it("refuses data that is none of the formats", () => {
    const [piece] = pieces("hello world");
    expect((piece as { error: { message: string } }).error.message).toMatch(
      /not OTLP JSON, JSON Lines, protobuf or gzip/,
    );
    // Gzip holding such data: the gzip is fine, what it holds is not.
    const [inside] = pieces(gzipSync("hello world\n"));
    expect((inside as { error: { message: string } }).error.message).toBe(
      "gzip data holding no OTLP JSON, JSON Lines or protobuf (what it inflates to starts with neither '{' nor a protobuf field)",
    );
  });

  it("says that zstd (and xz, bzip2) compressed data is not supported, and that gzip is", () => {
    // A zstd frame: its magic number, then a frame header and a block (the contents do not matter here).
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x03, 0x19, 0x00, 0x00, 0x61, 0x62, 0x63]);
    const xz = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]);
    for (const [bytes, name] of [
      [zstd, "zstd"],
      [xz, "xz"],
      [Buffer.from("BZh91AY&SY"), "bzip2"],
    ] as const) {
      const [piece] = pieces(bytes);
      expect((piece as { error: { message: string } }).error.message).toBe(
        `${name}-compressed data is not supported: only gzip (or no compression) is; decompress it first`,
      );
    }
  });

  it("keeps a parsed JSON piece's value for the decoder", () => {
    const [piece] = pieces(fixture("trace.json")) as OtlpPiece[];
    expect(piece?.encoding === "json" && (piece.value as { resourceSpans: unknown[] }).resourceSpans).toHaveLength(1);
  });
});
