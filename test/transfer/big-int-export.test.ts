/**
 * import(export(x)) == x for int64 attribute values past ±(2^53 − 1): the domain keeps them as their
 * decimal digits (a JSON number would round them), and export writes them as intValue again, not as
 * the strings they are kept as, wherever they were (a span's, event's, link's, resource's, scope's and
 * log record's attributes, a log body, inside lists and maps), whichever decoder read them.
 */
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { type OfflineData, openOffline } from "../../src/offline.js";
import { decodeTraceRequestJsonDirect } from "../../src/otlp/json/direct-traces.js";
import { decodeLogRequestJson } from "../../src/otlp/json/logs.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { type TranscodedTraces, transcodeTraceRequestJson } from "../../src/otlp/json/transcode-traces.js";
import { encodeExportRequestFromJson } from "../../src/otlp/protobuf/from-json.js";
import { decodeLogRequestProtobuf } from "../../src/otlp/protobuf/logs.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { exportLines } from "../../src/transfer/export.js";
import { importStream, offlineSink } from "../../src/transfer/import-stream.js";
import { tempDir } from "../helpers/app.js";

const int = (digits: string) => ({ intValue: digits });

/** Big ints at the top of a list, in a list and in a map, beside values that must keep their types. */
function attributes(prefix: string): unknown[] {
  return [
    { key: `${prefix}.big`, value: int("12345678901234567") },
    { key: `${prefix}.min`, value: int("-9223372036854775808") },
    { key: `${prefix}.small`, value: int("12") },
    // The same digits sent as text stay text.
    { key: `${prefix}.text`, value: { stringValue: "12345678901234567" } },
    {
      key: `${prefix}.list`,
      value: { arrayValue: { values: [int("9223372036854775807"), { stringValue: "9223372036854775807" }] } },
    },
    {
      key: `${prefix}.map`,
      value: {
        kvlistValue: {
          values: [
            { key: "id", value: int("-9007199254740993") },
            { key: "deeper", value: { arrayValue: { values: [int("1"), int("9007199254740992")] } } },
          ],
        },
      },
    },
  ];
}

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

function traceRequest(): { resourceSpans: unknown[] } {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }, ...attributes("resource")] },
        scopeSpans: [
          {
            scope: { name: "lib", version: "1", attributes: attributes("scope") },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: "eee19b7ec3c1b174",
                name: "GET /",
                kind: 2,
                startTimeUnixNano: "1544712660000000000",
                endTimeUnixNano: "1544712661000000000",
                attributes: attributes("span"),
                events: [{ timeUnixNano: "1544712660500000000", name: "e", attributes: attributes("event") }],
                links: [{ traceId: TRACE_ID, spanId: "eee19b7ec3c1b173", attributes: attributes("link") }],
                status: {},
              },
            ],
          },
        ],
      },
    ],
  };
}

function logRequest(body: unknown): { resourceLogs: unknown[] } {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }, ...attributes("resource")] },
        scopeLogs: [
          {
            scope: { name: "lib", version: "1", attributes: attributes("scope") },
            logRecords: [
              {
                timeUnixNano: "1544712660000000000",
                observedTimeUnixNano: "1544712660000000001",
                severityNumber: 9,
                body,
                attributes: attributes("log"),
              },
            ],
          },
        ],
      },
    ],
  };
}

const traceText = () => Buffer.from(JSON.stringify(traceRequest()));
const traceDecoders: [string, () => Span[]][] = [
  ["OTLP/JSON", () => decodeTraceRequestJson(traceRequest()).spans],
  ["the direct JSON reader", () => decodeTraceRequestJsonDirect(traceText())?.spans ?? []],
  [
    "protobuf",
    () => decodeTraceRequestProtobuf((transcodeTraceRequestJson(traceText()) as TranscodedTraces).bytes).spans,
  ],
];

const bodies: [string, unknown][] = [
  ["a big int", int("-12345678901234567")],
  ["a map holding big ints", { kvlistValue: { values: attributes("body") } }],
];

const dir = tempDir();
const opened: OfflineData[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});
afterAll(() => dir.remove());
let files = 0;
async function open(kind: "memory" | "sqlite"): Promise<OfflineData> {
  const dbPath = kind === "memory" ? null : join(dir.path, `big-ints-${files++}.db`);
  const data = await openOffline({ dbPath, create: true });
  opened.push(data);
  return data;
}

function exported(data: OfflineData, signal: "traces" | "logs"): string {
  return [...exportLines(data, {}, new Set([signal]))].map((line) => `${line.json}\n`).join("");
}

async function imported(kind: "memory" | "sqlite", text: string): Promise<OfflineData> {
  const target = await open(kind);
  const counts = await importStream(
    (async function* () {
      yield Buffer.from(text);
    })(),
    offlineSink(target.importer),
    { batches: { maxBatchBytes: 1 << 20, maxWholeBytes: 1 << 20 } },
  );
  expect(counts.errors).toEqual([]);
  return target;
}

describe.each(["memory", "sqlite"] as const)("int64s past 2^53 through the %s store", (kind) => {
  it.each(traceDecoders)("a span read by %s exports them as intValue again", async (_, decode) => {
    const source = await open(kind);
    source.store.insertSpans(decode());
    const text = exported(source, "traces");
    const sent = traceRequest().resourceSpans[0] as any;
    const back = JSON.parse(text).resourceSpans[0];
    expect(back.resource.attributes).toEqual(sent.resource.attributes);
    const scope = back.scopeSpans[0];
    expect(scope.scope.attributes).toEqual(sent.scopeSpans[0].scope.attributes);
    const span = scope.spans[0];
    const sentSpan = sent.scopeSpans[0].spans[0];
    expect(span.attributes).toEqual(sentSpan.attributes);
    expect(span.events[0].attributes).toEqual(sentSpan.events[0].attributes);
    expect(span.links[0].attributes).toEqual(sentSpan.links[0].attributes);

    // Imported again, the trace is the one exported, and exports to the same text.
    const target = await imported(kind, text);
    expect(target.store.getTrace(TRACE_ID)).toStrictEqual(source.store.getTrace(TRACE_ID));
    expect(exported(target, "traces")).toBe(text);
  });

  it.each(bodies)("a log record whose body is %s exports them as intValue again", async (_, body) => {
    for (const decode of [
      () => decodeLogRequestJson(logRequest(body)).logs,
      () => decodeLogRequestProtobuf(encodeExportRequestFromJson("/v1/logs", logRequest(body))).logs,
    ]) {
      const source = await open(kind);
      source.logs.insertLogs(decode());
      const text = exported(source, "logs");
      const sent = logRequest(body).resourceLogs[0] as any;
      const back = JSON.parse(text).resourceLogs[0];
      expect(back.resource.attributes).toEqual(sent.resource.attributes);
      expect(back.scopeLogs[0].scope.attributes).toEqual(sent.scopeLogs[0].scope.attributes);
      const record = back.scopeLogs[0].logRecords[0];
      expect(record.attributes).toEqual(sent.scopeLogs[0].logRecords[0].attributes);
      expect(record.body).toEqual(body);

      const target = await imported(kind, text);
      const all = (data: OfflineData) => data.logs.listLogs({ order: "asc", limit: 10 }).logs.map((s) => s.record);
      expect(all(target)).toStrictEqual(all(source));
      expect(exported(target, "logs")).toBe(text);
    }
  });
});
