/**
 * import(export(x)) == x through both stores: traces written by the export selection, read back by
 * the file reader in batches, imported through the ingest path into a fresh store of each kind.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { type OfflineData, openOffline } from "../../src/offline.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { type TranscodedTraces, transcodeTraceRequestJson } from "../../src/otlp/json/transcode-traces.js";
import { DEFAULT_REQUEST_LIMITS } from "../../src/otlp/limits.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { type ExportSelection, type ExportSignal, exportLines, exportTraceLines } from "../../src/transfer/export.js";
import { importStream, offlineSink } from "../../src/transfer/import-stream.js";
import { startTestApp, tempDir } from "../helpers/app.js";
import { postJson, postLogs } from "../helpers/payloads.js";
import { loadOtlpRoot, PKG } from "../otlp/helpers.js";
import { protoRequest } from "../otlp/sample-request.js";
import { makeLog, richLog } from "../store/log-fixtures.js";
import { makeSpan, richSpan, T0 } from "../store/span-fixtures.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");

/** Spans of every kind the decoders produce: the OTel example, the hostile sample, a rich span, a tree. */
function sourceSpans(): Span[] {
  const Request = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
  const sample = decodeTraceRequestProtobuf(Request.encode(Request.fromObject(protoRequest())).finish()).spans;
  const rich = richSpan();
  const tree = [1, 2, 3].map((n) =>
    makeSpan({ trace: 7, span: n, parent: n === 1 ? null : n - 1, start: n, service: n === 3 ? "db" : "api" }),
  );
  return [
    ...decodeTraceRequestJson(JSON.parse(fixture("trace.json"))).spans,
    ...sample,
    // The decoders never produce non-finite numbers (they become strings); a stored span holds what they made.
    // (The sample request uses the rich span's ids: this one gets a trace of its own.)
    {
      ...rich,
      traceId: "5b8efff798038103d269b633813fc60c",
      attributes: { ...rich.attributes, "not.a.number": "NaN", infinite: "Infinity" },
    },
    ...tree,
  ];
}

async function* chunked(data: string | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function jsonTraceRequestOf(service: string): { resourceSpans: unknown[] } {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: createHash("md5").update(service).digest("hex"),
                spanId: "b".repeat(16),
                name: `span of ${service}`,
                startTimeUnixNano: "1",
                endTimeUnixNano: "2",
              },
            ],
          },
        ],
      },
    ],
  };
}

const dir = tempDir();
const opened: OfflineData[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});
afterAll(() => dir.remove());
async function open(kind: "memory" | "sqlite", name: string): Promise<OfflineData> {
  const data = await openOffline({ dbPath: kind === "memory" ? null : join(dir.path, `${name}.db`), create: true });
  opened.push(data);
  return data;
}

function traceIdsOf(spans: readonly Span[]): string[] {
  return [...new Set(spans.map((s) => s.traceId))];
}

describe.each(["memory", "sqlite"] as const)("export and import through the %s store", (kind) => {
  it("round-trips every trace exactly", async () => {
    const source = await open(kind, `source-${kind}`);
    const spans = sourceSpans();
    source.store.insertSpans(spans);
    const text = [...exportTraceLines(source.store, {})].map((line) => `${line}\n`).join("");
    const ids = traceIdsOf(spans);
    expect(text.split("\n").filter(Boolean)).toHaveLength(ids.length);
    // Values sent as bytes (the sample's and the rich span's span, event and link attributes) go out as bytes again.
    for (const base64 of ["3q2+7w==", "AQID", "AAE="]) expect(text).toContain(`{"bytesValue":"${base64}"}`);
    // So do the sample's resource and scope attributes sent as bytes, and bytes inside lists and maps
    // (the resource's list holds the same base64 text once as a string: it stays a string).
    for (const base64 of ["AQI=", "Aw==", "BAU=", "Bg=="]) expect(text).toContain(`{"bytesValue":"${base64}"}`);
    expect(text).toContain(`{"stringValue":"AQI="},{"bytesValue":"AQI="}`);
    expect(text).toContain(`{"key":"name","value":{"stringValue":"n"}}`);
    expect(spans.filter((s) => s.bytes !== undefined).length).toBeGreaterThanOrEqual(2);

    const target = await open(kind, `target-${kind}`);
    // Small batches and chunks, so lines are cut across chunks and grouped into several batches.
    const counts = await importStream(chunked(text, 1000), offlineSink(target.importer), {
      batches: { maxBatchBytes: 4000, maxWholeBytes: 1 << 20 },
    });
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(spans.length);
    expect([...counts.traceIds].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(target.store.getTrace(id)).toStrictEqual(source.store.getTrace(id));
    }
    // A second export of the imported traces is the same file.
    expect([...exportTraceLines(target.store, {})].map((line) => `${line}\n`).join("")).toBe(text);
  });

  it("exports the traces a selection names: ids, the list's filters, and a start time", async () => {
    const data = await open(kind, `select-${kind}`);
    data.store.insertSpans([
      makeSpan({ trace: 1, span: 1, parent: null, start: 0, name: "old checkout", service: "shop" }),
      makeSpan({ trace: 2, span: 1, parent: null, start: 5_000, name: "payment", service: "pay", error: true }),
      makeSpan({ trace: 3, span: 1, parent: null, start: 10_000, name: "new checkout", service: "shop" }),
    ]);
    const exported = (selection: Parameters<typeof exportTraceLines>[1]) =>
      [...exportTraceLines(data.store, selection)].map(
        (line) => decodeTraceRequestJson(JSON.parse(line)).spans[0]?.name,
      );
    expect(exported({})).toEqual(["new checkout", "payment", "old checkout"]);
    expect(exported({ query: { q: "checkout" } })).toEqual(["new checkout", "old checkout"]);
    expect(exported({ query: { service: "pay" } })).toEqual(["payment"]);
    expect(exported({ query: { errorsOnly: true } })).toEqual(["payment"]);
    expect(exported({ query: { sinceUnixNano: T0 + 5_000_000_000n } })).toEqual(["new checkout", "payment"]);
    const first = makeSpan({ trace: 1, span: 1 }).traceId;
    const unknown = "ffffffffffffffffffffffffffffffff";
    expect(exported({ traceIds: [first, unknown] })).toEqual(["old checkout"]);
  });
});

describe("exporting more than one request may hold", { timeout: 120_000 }, () => {
  it("writes more spans than a request may hold as several lines, and imports them back", async () => {
    const source = await open("memory", "huge-source");
    const total = DEFAULT_REQUEST_LIMITS.maxItems + 20_000;
    const spans = Array.from({ length: total }, (_, i) =>
      makeSpan({ trace: 11, span: i + 1, parent: i === 0 ? null : 1, start: i }),
    );
    source.store.insertSpans(spans);
    const lines = [...exportLines(source, {}, new Set(["traces"] as const))];
    expect(lines.length).toBeGreaterThan(1);
    // One trace, counted once.
    expect(lines.map((line) => line.count).reduce((a, b) => a + b)).toBe(1);

    const target = await open("memory", "huge-target");
    const text = lines.map((line) => `${line.json}\n`).join("");
    const counts = await importStream(chunked(text, 1 << 20), offlineSink(target.importer));
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(total);
    const id = makeSpan({ trace: 11, span: 1 }).traceId;
    expect(target.store.getTrace(id)).toStrictEqual(source.store.getTrace(id));
  });

  it("keeps each line within the receiver's bound on JSON objects and arrays, and the trace's download too", async () => {
    const source = await open("memory", "wide-source");
    // 9 attributes of 1,000 nulls (as many entries as one value keeps, and within a span's 10,000
    // values): an AnyValue each, `{}` in JSON; 230 such spans pass the bound of 2,000,000.
    const nulls = Array.from({ length: 1_000 }, () => null);
    const attributes = Object.fromEntries(Array.from({ length: 9 }, (_, k) => [`nulls.${k}`, nulls]));
    const spans = Array.from({ length: 230 }, (_, i) =>
      makeSpan({ trace: 12, span: i + 1, parent: i === 0 ? null : 1, start: i, attributes }),
    );
    source.store.insertSpans(spans);
    const lines = [...exportLines(source, {}, new Set(["traces"] as const))].map((line) => line.json);
    expect(lines.length).toBeGreaterThan(1);
    const app = await startTestApp();
    try {
      for (const line of lines) expect((await postJson(app.base, line)).status).toBe(200);
      // The download of that one trace is its lines, as JSON Lines.
      const id = makeSpan({ trace: 12, span: 1 }).traceId;
      const download = await fetch(`${app.base}/api/export?trace=${id}`);
      expect(download.headers.get("content-type")).toBe("application/x-ndjson");
      expect(await download.text()).toBe(lines.map((line) => `${line}\n`).join(""));
    } finally {
      await app.close();
    }
  });

  it("writes log records past a request's bounds as several lines, each a request the receiver takes", async () => {
    const source = await open("memory", "wide-logs");
    const nulls = Array.from({ length: 500_000 }, () => null);
    source.logs.insertLogs(Array.from({ length: 5 }, (_, i) => makeLog({ at: i, body: nulls })));
    const lines = [...exportLines(source, {}, new Set(["logs"] as const))];
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((line) => line.count).reduce((a, b) => a + b)).toBe(5);
    const app = await startTestApp();
    try {
      for (const line of lines) expect((await postLogs(app.base, line.json)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe.each(["memory", "sqlite"] as const)("exporting log records from the %s store", (kind) => {
  it("writes the window's records, or the selected traces' records, and round-trips them exactly", async () => {
    const source = await open(kind, `logs-source-${kind}`);
    const inTrace = (trace: number) => ({ trace, span: 1 });
    source.store.insertSpans([
      makeSpan({ trace: 1, span: 1, parent: null, start: 0, name: "checkout", service: "shop" }),
      makeSpan({ trace: 2, span: 1, parent: null, start: 5_000, name: "payment", service: "pay" }),
    ]);
    const rich = richLog();
    // The decoders never produce non-finite numbers (they become strings); a stored record holds what they made.
    const richStored = {
      ...rich,
      traceId: makeSpan(inTrace(1)).traceId,
      spanId: makeSpan(inTrace(1)).spanId,
      body: { ...(rich.body as Record<string, unknown>), "not.a.number": "NaN" },
      attributes: { ...rich.attributes, infinite: "-Infinity" },
    } as typeof rich;
    source.logs.insertLogs([
      makeLog({ at: 1, ...inTrace(1), body: "checkout started" }),
      makeLog({ at: 6_000, ...inTrace(2), body: "charging", service: "pay" }),
      makeLog({ at: 7_000, body: "outside any trace", attributes: { n: 3, ok: true } }),
      richStored,
    ]);
    const lines = (selection: ExportSelection, signals: ExportSignal[] = ["traces", "logs"]) =>
      [...exportLines(source, selection, new Set(signals))].map((line) => [line.signal, line.count]);
    // Nothing selected: every trace, then every record (one outside any trace too), oldest first.
    expect(lines({})).toEqual([
      ["traces", 1],
      ["traces", 1],
      ["logs", 4],
    ]);
    // Traces picked by more than time: their records only.
    expect(lines({ query: { service: "pay" } })).toEqual([
      ["traces", 1],
      ["logs", 1],
    ]);
    expect(lines({ traceIds: [makeSpan(inTrace(1)).traceId] }, ["logs"])).toEqual([["logs", 2]]);
    // A window only: the window's records, in traces or not.
    expect(lines({ query: { sinceUnixNano: T0 + 6_500_000_000n } }, ["logs"])).toEqual([["logs", 2]]);

    const text = [...exportLines(source, {}, new Set(["traces", "logs"] as const))].map((l) => `${l.json}\n`).join("");
    const target = await open(kind, `logs-target-${kind}`);
    const counts = await importStream(chunked(text, 700), offlineSink(target.importer), {
      batches: { maxBatchBytes: 4000, maxWholeBytes: 1 << 20 },
    });
    expect(counts.errors).toEqual([]);
    expect(counts.logRecords).toBe(4);
    const all = (data: OfflineData) => data.logs.listLogs({ order: "asc", limit: 100 }).logs.map((s) => s.record);
    expect(all(target)).toStrictEqual(all(source));
  });
});

describe.each(["memory", "sqlite"] as const)("exports that overlap imported into the %s store", (kind) => {
  it("store each log record once: a trace's export, then the export of everything that holds it", async () => {
    const source = await open(kind, `overlap-source-${kind}`);
    const inTrace = { trace: 1, span: 1 };
    source.store.insertSpans([makeSpan({ ...inTrace, parent: null, start: 0, name: "checkout", service: "shop" })]);
    source.logs.insertLogs([
      ...[1, 2, 3].map((at) => makeLog({ at, ...inTrace, body: `step ${at}` })),
      makeLog({ at: 2, body: "same time, outside the trace" }),
      ...[4, 4].map((at) => makeLog({ at, body: "a loop's equal records" })),
    ]);
    const file = (selection: ExportSelection) =>
      [...exportLines(source, selection, new Set(["traces", "logs"] as const))]
        .map(
          (l) => `${l.json}
`,
        )
        .join("");
    const one = file({ traceIds: [makeSpan(inTrace).traceId] });
    const all = file({});
    const target = await open(kind, `overlap-target-${kind}`);
    const first = await importStream(chunked(one, 4096), offlineSink(target.importer));
    expect(first).toMatchObject({ spans: 1, logRecords: 3, errors: [] });
    const second = await importStream(chunked(all, 4096), offlineSink(target.importer));
    expect(second).toMatchObject({ logRecords: 3, alreadyStored: { spans: 1, logRecords: 3 }, errors: [] });
    const records = (data: OfflineData, traceId?: string) =>
      data.logs.listLogs({ order: "asc", limit: 100, traceId }).logs.map((s) => s.record);
    expect(records(target, makeSpan(inTrace).traceId)).toHaveLength(3);
    expect(records(target)).toStrictEqual(records(source));
  });
});

describe.each(["memory", "sqlite"] as const)("equal log records through the %s store", (kind) => {
  it("round-trip exactly, wherever lines end, and a file imported again adds nothing", async () => {
    const source = await open(kind, `equal-logs-source-${kind}`);
    const retrying = (at: number) => makeLog({ at, trace: 3, span: 1, body: "retrying" });
    // One request: 998 lines, then a loop's four equal records where a line of 1,000 would end, then
    // 1,500 equal records of one time (more than a line holds), then one more.
    source.logs.insertLogs([
      ...Array.from({ length: 998 }, (_, i) => makeLog({ at: i, body: `line ${i}` })),
      ...Array.from({ length: 4 }, () => retrying(998)),
      ...Array.from({ length: 1500 }, () => retrying(999)),
      makeLog({ at: 1000, body: "done" }),
    ]);
    const lines = [...exportLines(source, {}, new Set(["logs"] as const))];
    expect(lines.map((line) => line.count)).toEqual([1002, 1500, 1]);
    const text = lines.map((line) => `${line.json}\n`).join("");
    const all = (data: OfflineData) => data.logs.listLogs({ order: "asc", limit: 1000 });
    const everything = (data: OfflineData) => {
      const records = [];
      for (let page = all(data); ; ) {
        records.push(...page.logs.map((log) => log.record));
        if (page.nextCursor === undefined) return records;
        page = data.logs.listLogs({ order: "asc", limit: 1000, cursor: page.nextCursor });
      }
    };

    const target = await open(kind, `equal-logs-target-${kind}`);
    const first = await importStream(chunked(text, 4096), offlineSink(target.importer));
    expect(first.errors).toEqual([]);
    expect(first).toMatchObject({ logRecords: 2503, alreadyStored: { logRecords: 0 } });
    expect(everything(target)).toStrictEqual(everything(source));
    const again = await importStream(chunked(text, 4096), offlineSink(target.importer));
    expect(again).toMatchObject({ logRecords: 0, alreadyStored: { logRecords: 2503 } });
    expect(target.logs.stats().logs).toBe(2503);
    expect(everything(target)).toStrictEqual(everything(source));
  });
});

describe("importing files", () => {
  it("imports a gzip file of JSON Lines, and the logs and metrics lines in it", async () => {
    const target = await open("memory", "gz");
    const oneLine = (name: string) => JSON.stringify(JSON.parse(fixture(name)));
    const text = `${[oneLine("trace.json"), oneLine("logs.json"), oneLine("metrics.json")].join("\n")}\n`;
    const counts = await importStream(chunked(gzipSync(text), 64), offlineSink(target.importer));
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(decodeTraceRequestJson(JSON.parse(fixture("trace.json"))).spans.length);
    expect(counts.logRecords).toBeGreaterThan(0);
    expect(counts.dataPoints).toBeGreaterThan(0);
  });

  it("numbers bad lines across batches and imports the rest", async () => {
    const target = await open("memory", "bad");
    const good = (n: number) =>
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
            scopeSpans: [
              {
                scope: { name: "s" },
                spans: [
                  {
                    traceId: `${"a".repeat(30)}${String(n).padStart(2, "0")}`,
                    spanId: "b".repeat(16),
                    name: `span ${n}`,
                    startTimeUnixNano: "1",
                    endTimeUnixNano: "2",
                  },
                ],
              },
            ],
          },
        ],
      });
    const lines = [
      good(1),
      good(2),
      "garbage",
      good(3),
      good(4),
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}',
    ];
    const counts = await importStream(chunked(`${lines.join("\n")}\n`, 100), offlineSink(target.importer), {
      batches: { maxBatchBytes: 500, maxWholeBytes: 1 << 20 },
    });
    expect(counts.spans).toBe(4);
    expect(counts.rejected).toBe(1);
    expect(counts.errors.map((e) => e.where)).toEqual(["line 3", "line 6"]);
    expect(counts.errors[1]?.rejectedItems).toBe(1);

    // A bad line that starts a batch costs only itself too.
    const again = await open("memory", "bad-first");
    const size = good(1).length + 1;
    const batchStart = await importStream(chunked(`${lines.join("\n")}\n`, 100), offlineSink(again.importer), {
      batches: { maxBatchBytes: size * 2, maxWholeBytes: 1 << 20 },
    });
    expect(batchStart.spans).toBe(4);
    expect(batchStart.errors.map((e) => e.where)).toEqual(["line 3", "line 6"]);
  });

  it("says how many items a line had refused with thousands separators, as the summary counts them", async () => {
    const target = await open("memory", "many-bad");
    const line = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: new Array(1_200).fill({}) }] }] });
    const counts = await importStream(chunked(`${line}\n`, 4096), offlineSink(target.importer));
    expect(counts.rejected).toBe(1_200);
    expect(counts.errors[0]?.message).toMatch(/^rejected 1,200: /);
  });

  it("stores again the spans of a trace the import evicted earlier: a file's spans are no exporter's late ones", async () => {
    const target = await openOffline({ dbPath: null, create: true, maxSpans: 1_000 });
    opened.push(target);
    const evicted = "ab".repeat(16);
    const spans = (traceId: string, n: number) =>
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: Array.from({ length: n }, (_, i) => ({
                  traceId,
                  spanId: (i + 1).toString(16).padStart(16, "0"),
                  name: `s${i}`,
                  startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
                  endTimeUnixNano: String(1_700_000_000_000_001_000n + BigInt(i)),
                })),
              },
            ],
          },
        ],
      });
    // The first trace is evicted to make room for the second; the third line brings 900 spans of it again.
    const text = `${spans(evicted, 1)}\n${spans("cd".repeat(16), 1_000)}\n${spans(evicted, 900)}\n`;
    const counts = await importStream(chunked(text, 4096), offlineSink(target.importer), {
      batches: { maxBatchBytes: 1024, maxWholeBytes: 1 << 20 },
    });
    expect(counts.errors).toEqual([]);
    expect(counts.rejected).toBe(0);
    expect(counts.spans).toBe(1 + 1_000 + 900);
    expect(target.store.getTrace(evicted)).toHaveLength(900);
  });

  it("reads JSON Lines written on Windows (byte order mark, CRLF), and a document split by its resources", async () => {
    const target = await open("memory", "crlf");
    const oneLine = (service: string) => JSON.stringify(jsonTraceRequestOf(service));
    const text = `\ufeff${oneLine("a")}\r\n${oneLine("b")}\r\n`;
    const counts = await importStream(chunked(text, 7), offlineSink(target.importer), {
      batches: { maxBatchBytes: 300, maxWholeBytes: 1 << 20 },
    });
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(2);

    // One pretty-printed document bigger than a batch: read whole, sent as groups of its resources.
    const doc = {
      resourceSpans: ["c", "d", "e"].flatMap((service) => jsonTraceRequestOf(service).resourceSpans),
    };
    const docCounts = await importStream(
      chunked(`\ufeff${JSON.stringify(doc, null, 2)}`, 50),
      offlineSink(target.importer),
      {
        batches: { maxBatchBytes: 400, maxWholeBytes: 1 << 20 },
      },
    );
    expect(docCounts.errors).toEqual([]);
    expect(docCounts.spans).toBe(3);

    // A document past what is read whole says how large that is, and in bytes.
    const tooBig = await importStream(chunked(JSON.stringify(doc, null, 2), 50), offlineSink(target.importer), {
      batches: { maxBatchBytes: 400, maxWholeBytes: 1500 },
    });
    expect(tooBig.errors.map((error) => error.message)).toEqual([
      "larger than 1.5 KiB (1,500 bytes), the most read whole (use JSON Lines)",
    ]);
  });

  it("keeps a -0 double in a document split by its resources, in both stores", async () => {
    const services = ["f", "g", "h"];
    const doc = { resourceSpans: services.flatMap((service) => jsonTraceRequestOf(service).resourceSpans) };
    for (const entry of doc.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[]) {
      (entry.scopeSpans[0]?.spans[0] as Record<string, unknown>).attributes = [
        { key: "zero", value: { doubleValue: "NEGATIVE_ZERO" } },
      ];
    }
    // JSON.stringify writes -0 as 0: the number is written into the text.
    const text = JSON.stringify(doc, null, 2).replaceAll('"NEGATIVE_ZERO"', "-0");
    expect(text.length).toBeGreaterThan(800);
    for (const kind of ["memory", "sqlite"] as const) {
      const target = await open(kind, `split-zero-${kind}`);
      const counts = await importStream(chunked(text, 50), offlineSink(target.importer), {
        batches: { maxBatchBytes: 400, maxWholeBytes: 1 << 20 },
      });
      expect(counts.errors).toEqual([]);
      expect(counts.spans).toBe(3);
      for (const service of services) {
        const [span] = target.store.getTrace(createHash("md5").update(service).digest("hex")) ?? [];
        expect(Object.is(span?.attributes.zero, -0)).toBe(true);
      }
    }
  });

  /** `count` one-span JSON Lines, each a trace of its own service. */
  const jsonLines = (count: number, from = 0) =>
    Array.from({ length: count }, (_, i) => JSON.stringify(jsonTraceRequestOf(`svc-${from + i}`)));

  it("imports the whole lines of a gzip file cut short, then says it broke off", async () => {
    const target = await open("memory", "cut-gzip");
    const gz = gzipSync(`${jsonLines(400).join("\n")}\n`);
    const cut = gz.subarray(0, gz.length - 40);
    const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString().split("\n").length - 1;
    const counts = await importStream(chunked(cut, 64), offlineSink(target.importer), {
      batches: { maxBatchBytes: 4000, maxWholeBytes: 1 << 20 },
    });
    expect(counts.spans).toBe(readable);
    expect(target.store.stats().spans).toBe(readable);
    expect(counts.errors.map((e) => e.message)).toEqual([expect.stringMatching(/gzip data is broken/)]);
  });

  it("imports the whole messages of a length-prefixed protobuf file cut short", async () => {
    const target = await open("memory", "cut-proto");
    const framed = Buffer.concat(
      jsonLines(4).map((line) => {
        const message = (transcodeTraceRequestJson(Buffer.from(line)) as TranscodedTraces).bytes;
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(message.length);
        return Buffer.concat([prefix, message]);
      }),
    );
    const counts = await importStream(chunked(framed.subarray(0, framed.length - 5), 50), offlineSink(target.importer));
    expect(counts.errors).toHaveLength(1);
    expect(target.store.stats().spans).toBe(3);
  });

  it("imports the whole resource entries of a single protobuf request cut short, then names the byte of the cut", async () => {
    // Repeated fields concatenate: one request of four resource entries.
    const entries = jsonLines(4).map(
      (line) => (transcodeTraceRequestJson(Buffer.from(line)) as TranscodedTraces).bytes,
    );
    const request = Buffer.concat(entries);
    const lastStart = request.length - (entries[3] as Uint8Array).length;
    // Read whole (a small file) and in batches of an entry or so.
    for (const maxBatchBytes of [4 * 1024 * 1024, 100]) {
      const target = await open("memory", `cut-request-${maxBatchBytes}`);
      const counts = await importStream(
        chunked(request.subarray(0, request.length - 5), 50),
        offlineSink(target.importer),
        {
          batches: { maxBatchBytes, maxWholeBytes: 1 << 20 },
        },
      );
      expect(counts.spans).toBe(3);
      expect(target.store.stats().spans).toBe(3);
      expect(counts.errors.map((e) => e.message)).toEqual([
        expect.stringMatching(new RegExp(`at byte ${lastStart.toLocaleString("en-US")}$`)),
      ]);
    }
  });

  it("reads JSON Lines whose first lines are blank or bad, and a JSON file that starts with a newline", async () => {
    const good = `${jsonLines(3).join("\n")}\n`;
    // One resource entry of three spans, on a line of its own inside the document.
    const entries = jsonLines(3).map((line) => JSON.parse(line).resourceSpans[0]);
    const entry = { ...entries[0], scopeSpans: entries.flatMap((e) => e.scopeSpans) };
    for (const [name, text, errors] of [
      ["bad-first", `{"resourceSpans":[{"scopeSpans":[\n${good}`, 1],
      ["two-bad-first", `{"resourceSpans":[\ngarbage\n${good}`, 2],
      ["entry-per-line-document", `{"resourceSpans": [\n${JSON.stringify(entry)}\n]}\n`, 0],
      ["blank-first", `\n${good}`, 0],
      ["crlf-first", ` \r\n${good}`, 0],
      [
        "newline-document",
        `\n${JSON.stringify({ resourceSpans: jsonLines(3).flatMap((l) => JSON.parse(l).resourceSpans) }, null, 2)}`,
        0,
      ],
    ] as const) {
      const target = await open("memory", name);
      const counts = await importStream(chunked(text, 16), offlineSink(target.importer));
      expect({ name, spans: counts.spans, errors: counts.errors.length }).toEqual({ name, spans: 3, errors });
    }
  });

  it("reports a file that is no OTLP at all as one error", async () => {
    const target = await open("memory", "none");
    const counts = await importStream(chunked("just some text\n", 8), offlineSink(target.importer));
    expect(counts.spans).toBe(0);
    expect(counts.errors).toHaveLength(1);
    expect(counts.errors[0]?.message).toMatch(/not OTLP JSON, JSON Lines, protobuf or gzip/);
  });

  it("says input of nothing but white space is empty, gzipped or not, though a newline is how protobuf starts", async () => {
    const target = await open("memory", "blank");
    const blank = ["\n", "\n\n", " ", "  \n\t\r\n", "\n".repeat(10_000)];
    for (const data of [...blank, ...blank.map((text) => gzipSync(text))]) {
      const counts = await importStream(chunked(data, 16), offlineSink(target.importer));
      expect(counts.errors).toEqual([{ where: "", message: "the file holds nothing but white space" }]);
      const fromStdin = await importStream(chunked(data, 16), offlineSink(target.importer), {
        emptyMessage: "empty, nothing to import",
      });
      expect(fromStdin.errors).toEqual([{ where: "", message: "empty, nothing to import" }]);
    }
    // White space with something after it is not empty: read as the protobuf its first newline starts.
    const counts = await importStream(chunked(`${"\n".repeat(10_000)}x`, 16), offlineSink(target.importer));
    expect(counts.errors.map((error) => error.message)).toEqual([expect.stringMatching(/^truncated/)]);
    expect(target.store.stats().spans).toBe(0);
  });

  it("imports protobuf that starts with a newline, and with two (a first resource entry 10 bytes long)", async () => {
    const request = (transcodeTraceRequestJson(Buffer.from(jsonLines(1)[0] as string)) as TranscodedTraces).bytes;
    expect(request[0]).toBe(0x0a);
    // Field 1 (an entry) of 10 bytes: a resource with one attribute, "kk", of no value; then the spans' entry.
    const twoNewlines = Buffer.concat([
      Buffer.from([0x0a, 0x0a, 0x0a, 0x08, 0x0a, 0x06, 0x0a, 0x02, 0x6b, 0x6b, 0x12, 0x00]),
      request,
    ]);
    for (const [name, data] of [
      ["proto-newline", request],
      ["proto-two-newlines", twoNewlines],
      ["proto-two-newlines-gzip", gzipSync(twoNewlines)],
    ] as const) {
      const target = await open("memory", name);
      const counts = await importStream(chunked(data, 1), offlineSink(target.importer));
      expect({ name, spans: counts.spans, errors: counts.errors }).toEqual({ name, spans: 1, errors: [] });
    }
  });
});
