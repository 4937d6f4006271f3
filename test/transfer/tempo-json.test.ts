/**
 * Traces saved from Grafana Tempo (its trace-by-id answers, v1 and v2, and Grafana's download of a
 * Tempo trace) imported as the OTLP they stand for: ids in base64, resources under `batches`, older
 * scopes, the v2 wrapper; through the file reader into both stores and through the page's import. The
 * live OTLP/HTTP receiver keeps to hex ids, as OTLP/JSON requires.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type OfflineData, openOffline } from "../../src/offline.js";
import { importStream, offlineSink } from "../../src/transfer/import-stream.js";
import {
  base64IdAsHex,
  isTempoResourceSpans,
  tempoDocumentAsOtlp,
  tempoToOtlp,
} from "../../src/transfer/tempo-json.js";
import { startTestApp, tempDir } from "../helpers/app.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const ROOT = "00f067aa0ba902b7";
const QUERY = "b7ad6b7169203331";
const LINKED = "9a3e4a8d3c1b5f20e7d6c5b4a3928170";
const base64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/** Spans as Tempo's v1 answer writes them: ids in base64, times as decimal strings, kinds by name. */
function tempoSpans(traceId = TRACE) {
  return [
    {
      traceId: base64(traceId),
      spanId: base64(ROOT),
      name: "GET /orders/:id",
      kind: "SPAN_KIND_SERVER",
      startTimeUnixNano: "1700000000000000000",
      endTimeUnixNano: "1700000000025000000",
      attributes: [{ key: "http.route", value: { stringValue: "/orders/:id" } }],
      status: { code: "STATUS_CODE_ERROR", message: "order 7 not found" },
    },
    {
      traceId: base64(traceId),
      spanId: base64(QUERY),
      parentSpanId: base64(ROOT),
      name: "SELECT orders",
      kind: "SPAN_KIND_CLIENT",
      startTimeUnixNano: "1700000000002000000",
      endTimeUnixNano: "1700000000012000000",
      links: [{ traceId: base64(LINKED), spanId: base64(ROOT), attributes: [] }],
      status: {},
    },
  ];
}

const RESOURCE = { attributes: [{ key: "service.name", value: { stringValue: "shop" } }] };

/** Tempo's `GET /api/traces/<id>` from before scopes: `batches` of `instrumentationLibrarySpans`, on one line. */
function tempoV1Older(traceId = TRACE) {
  return {
    batches: [
      {
        resource: RESOURCE,
        instrumentationLibrarySpans: [
          { instrumentationLibrary: { name: "@opentelemetry/instrumentation-http" }, spans: tempoSpans(traceId) },
        ],
      },
    ],
  };
}

/** Tempo's `GET /api/traces/<id>` since scopes: `batches` of `scopeSpans`. */
function tempoV1(traceId = TRACE) {
  return {
    batches: [
      {
        resource: RESOURCE,
        scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http" }, spans: tempoSpans(traceId) }],
      },
    ],
  };
}

/** Tempo's `GET /api/v2/traces/<id>`: the request under `trace`. */
function tempoV2(traceId = TRACE) {
  return { trace: { resourceSpans: tempoV1(traceId).batches } };
}

const dir = tempDir();
const opened: OfflineData[] = [];
afterEach(() => {
  for (const data of opened.splice(0)) data.close();
});
afterAll(() => dir.remove());

async function* chunks(text: string | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe("Tempo's JSON as OTLP", () => {
  it("reads base64 ids as hex, by their length, and leaves hex and anything else as they are", () => {
    expect(base64IdAsHex(base64(TRACE), 16)).toBe(TRACE);
    expect(base64IdAsHex(base64(ROOT), 8)).toBe(ROOT);
    expect(base64IdAsHex(TRACE, 16)).toBe(TRACE);
    expect(base64IdAsHex(ROOT, 8)).toBe(ROOT);
    // URL-safe base64 too; a span id's length is no trace id, nor the other way round.
    expect(
      base64IdAsHex(
        base64(`fbff${TRACE.slice(4)}`)
          .replace(/\+/g, "-")
          .replace(/\//g, "_"),
        16,
      ),
    ).toBe(`fbff${TRACE.slice(4)}`);
    expect(base64IdAsHex(base64(ROOT), 16)).toBe(base64(ROOT));
    expect(base64IdAsHex(base64(TRACE), 8)).toBe(base64(TRACE));
    expect(base64IdAsHex("", 8)).toBe("");
    expect(base64IdAsHex("not an id at all!!!!!!==", 16)).toBe("not an id at all!!!!!!==");
  });

  it("reads every shape Tempo writes as the same OTLP request, with hex ids", () => {
    const expected = tempoToOtlp(tempoV1()) as { resourceSpans: unknown[] };
    const span = (expected.resourceSpans[0] as { scopeSpans: { scope: unknown; spans: Record<string, unknown>[] }[] })
      .scopeSpans[0];
    expect(span?.scope).toEqual({ name: "@opentelemetry/instrumentation-http" });
    expect(span?.spans.map((s) => [s.traceId, s.spanId, s.parentSpanId])).toEqual([
      [TRACE, ROOT, undefined],
      [TRACE, QUERY, ROOT],
    ]);
    expect(span?.spans[1]?.links).toEqual([{ traceId: LINKED, spanId: ROOT, attributes: [] }]);
    for (const document of [tempoV1Older(), tempoV2(), { resourceSpans: tempoV1().batches }]) {
      const bytes = tempoDocumentAsOtlp(Buffer.from(JSON.stringify(document, null, 2)));
      expect(bytes === null ? null : JSON.parse(Buffer.from(bytes).toString())).toEqual(expected);
    }
  });

  it("leaves OTLP with hex ids, and documents of other kinds, to the OTLP reader", () => {
    const hex = JSON.stringify({
      resourceSpans: [{ resource: RESOURCE, scopeSpans: [{ spans: [{ traceId: TRACE }] }] }],
    });
    expect(tempoDocumentAsOtlp(Buffer.from(hex))).toBeNull();
    expect(tempoDocumentAsOtlp(Buffer.from('{"data": []}'))).toBeNull();
    expect(tempoDocumentAsOtlp(Buffer.from('{"resourceLogs": []}'))).toBeNull();
    expect(tempoDocumentAsOtlp(Buffer.from('{"batches": '))).toBeNull();
  });
});

describe("telling Tempo's resourceSpans from OTLP", () => {
  /** A resource with attributes longer than the first look at a document's start used to take in. */
  const bigResource = {
    attributes: [
      ...RESOURCE.attributes,
      { key: "process.command_args", value: { stringValue: "a".repeat(100 * 1024) } },
    ],
  };

  it("converts one whose first trace id is far from its start, as one whose id is near it", () => {
    const expected = tempoToOtlp({ resourceSpans: tempoV1().batches });
    const far = { resourceSpans: [{ ...tempoV1().batches[0], resource: bigResource }] };
    const bytes = tempoDocumentAsOtlp(Buffer.from(JSON.stringify(far)));
    const converted = bytes === null ? null : JSON.parse(Buffer.from(bytes).toString());
    const spansOf = (request: unknown) =>
      (request as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }).resourceSpans[0]?.scopeSpans[0]?.spans;
    expect(spansOf(converted)).toEqual(spansOf(expected));
    // Older scope names, far from the start, with hex ids.
    const older = {
      resourceSpans: [
        {
          resource: bigResource,
          instrumentationLibrarySpans: [{ instrumentationLibrary: { name: "http" }, spans: [{ traceId: TRACE }] }],
        },
      ],
    };
    expect(tempoDocumentAsOtlp(Buffer.from(JSON.stringify(older)))).not.toBeNull();
  });

  it("leaves OTLP with hex ids whose attributes name traceId, or hold base64 in such a name, to the OTLP reader", () => {
    const lookalike = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "traceId", value: { stringValue: base64(TRACE) } },
              { key: "note", value: { stringValue: `{"traceId": "${base64(TRACE)}"}` } },
            ],
          },
          scopeSpans: [{ spans: [{ traceId: TRACE, spanId: ROOT, name: "instrumentationLibrarySpans" }] }],
        },
      ],
    };
    expect(isTempoResourceSpans(Buffer.from(JSON.stringify(lookalike)))).toBe(false);
    expect(tempoDocumentAsOtlp(Buffer.from(JSON.stringify(lookalike, null, 2)))).toBeNull();
  });
});

describe.each(["memory", "sqlite"] as const)("importing a Tempo JSON file into the %s store", (kind) => {
  async function open(name: string): Promise<OfflineData> {
    const dbPath = kind === "memory" ? null : join(dir.path, `${name}-${kind}.db`);
    const data = await openOffline({ dbPath, create: true });
    opened.push(data);
    return data;
  }

  it("stores the traces of each of Tempo's answers, on one line or pretty-printed, gzipped or not", async () => {
    const target = await open("tempo");
    const files: [string, string | Uint8Array][] = [
      ["11", JSON.stringify(tempoV1Older(`11${TRACE.slice(2)}`))],
      ["22", `${JSON.stringify(tempoV1(`22${TRACE.slice(2)}`))}\n`],
      ["33", JSON.stringify(tempoV2(`33${TRACE.slice(2)}`), null, 2)],
      ["44", gzipSync(JSON.stringify(tempoV2(`44${TRACE.slice(2)}`)))],
      ["55", `${JSON.stringify({ resourceSpans: tempoV1(`55${TRACE.slice(2)}`).batches })}\n`],
    ];
    for (const [prefix, file] of files) {
      const counts = await importStream(chunks(file, 100), offlineSink(target.importer));
      expect(counts.errors, prefix).toEqual([]);
      expect(counts.spans, prefix).toBe(2);
      const spans = target.store.getTrace(`${prefix}${TRACE.slice(2)}`) ?? [];
      expect(spans.map((span) => [span.spanId, span.parentSpanId]).sort(), prefix).toEqual([
        [ROOT, null],
        [QUERY, ROOT],
      ]);
      expect(spans.find((span) => span.spanId === QUERY)?.links.map((link) => link.traceId)).toEqual([LINKED]);
    }
  });
});

describe("Tempo's JSON over HTTP", () => {
  it("is stored when dropped on the page, and its base64 ids are still refused by the OTLP/HTTP receiver", async () => {
    const app = await startTestApp();
    try {
      const dropped = await fetch(`${app.base}/api/import`, { method: "POST", body: JSON.stringify(tempoV1Older()) });
      expect(dropped.status).toBe(200);
      expect(await dropped.json()).toMatchObject({ traces: 1, spans: 2, rejected: 0, errors: [] });
      const trace = (await (await fetch(`${app.base}/api/traces/${TRACE}`)).json()) as {
        spans: { name: string; kind: string; status: { code: string } }[];
      };
      expect(trace.spans.find((span) => span.name === "GET /orders/:id")).toMatchObject({
        kind: "SERVER",
        status: { code: "ERROR" },
      });
      // OTLP/JSON over OTLP/HTTP has hex ids: the receiver says why it refuses base64 ones.
      const sent = await fetch(`${app.base}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(tempoV2(`77${TRACE.slice(2)}`).trace),
      });
      expect(await sent.json()).toMatchObject({ partialSuccess: { rejectedSpans: 2 } });
    } finally {
      await app.close();
    }
  });
});
