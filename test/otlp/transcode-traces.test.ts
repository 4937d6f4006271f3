/**
 * OTLP/JSON → protobuf for the import client: the receiver's protobuf decoder must read exactly the
 * spans its JSON decoder reads from the same request; what is not the standard encoding is left to JSON.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { encodeTraceRequestJson } from "../../src/otlp/json/encode-traces.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { transcodeTraceRequestJson } from "../../src/otlp/json/transcode-traces.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { richSpan } from "../store/span-fixtures.js";
import { jsonRequest } from "./sample-request.js";

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8"));

function expectSameAsJson(value: unknown) {
  const transcoded = transcodeTraceRequestJson(value);
  expect(transcoded).not.toBeNull();
  const fromJson = decodeTraceRequestJson(value);
  expect(decodeTraceRequestProtobuf(transcoded?.bytes as Uint8Array)).toStrictEqual(fromJson);
  expect(transcoded?.spans).toBe(fromJson.spans.length + fromJson.rejectedSpans);
  expect([...(transcoded?.traceIds ?? [])].sort()).toEqual([...new Set(fromJson.spans.map((s) => s.traceId))].sort());
}

describe("transcodeTraceRequestJson", () => {
  it("writes the opentelemetry-proto example as protobuf that decodes to the same spans", () => {
    expectSameAsJson(example("trace.json"));
  });

  it("writes what export wrote, with values of every kind, nesting, events, links and flags", () => {
    const rich = richSpan();
    const spans = [
      { ...rich, attributes: { ...rich.attributes, "not.a.number": "NaN", negativeBig: "-9223372036854775808" } },
    ];
    const exported = JSON.parse(JSON.stringify(encodeTraceRequestJson(spans)));
    expectSameAsJson(exported);
    // Typed values the domain never holds but files do: bytes, int64 past 2^53, non-finite doubles.
    const request = {
      resourceSpans: [
        {
          schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "0AF7651916CD43DD8448EB211C80319C",
                  spanId: "B7AD6B7169203331",
                  startTimeUnixNano: "1700000000000000000",
                  attributes: [
                    { key: "bytes", value: { bytesValue: "3q2+7w==" } },
                    { key: "big", value: { intValue: "9223372036854775807" } },
                    { key: "neg", value: { intValue: -42 } },
                    { key: "nan", value: { doubleValue: "NaN" } },
                    { key: "inf", value: { doubleValue: "-Infinity" } },
                    { key: "empty", value: {} },
                    { key: "nothing" },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expectSameAsJson(request);
  });

  it("leaves lenient spellings, invalid ids and unknown fields to the JSON decoder", () => {
    expect(transcodeTraceRequestJson(jsonRequest())).toBeNull();
    const span = (fields: Record<string, unknown>) => ({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "a".repeat(32), spanId: "b".repeat(16), ...fields }] }] }],
    });
    expect(transcodeTraceRequestJson(span({}))).not.toBeNull();
    expect(transcodeTraceRequestJson(span({ kind: "SPAN_KIND_SERVER" }))).toBeNull();
    expect(transcodeTraceRequestJson(span({ trace_state: "x" }))).toBeNull();
    expect(transcodeTraceRequestJson(span({ parentSpanId: "xyz" }))).toBeNull();
    expect(transcodeTraceRequestJson(span({ name: null }))).toBeNull();
    expect(
      transcodeTraceRequestJson(span({ attributes: [{ key: "k", value: { stringValue: "a", intValue: "1" } }] })),
    ).toBeNull();
    expect(transcodeTraceRequestJson({ resource_spans: [] })).toBeNull();
    expect(transcodeTraceRequestJson("not an object")).toBeNull();
  });
});
