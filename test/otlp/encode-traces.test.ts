/**
 * Domain Spans → OTLP/JSON → domain Spans is exact: whatever the decoders produced (from protobuf or
 * JSON, from the OTel examples or from the hostile sample request) decodes again to equal Spans.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { encodeTraceRequestJson } from "../../src/otlp/json/encode-traces.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { richSpan } from "../store/span-fixtures.js";
import { loadOtlpRoot, PKG } from "./helpers.js";
import { protoRequest } from "./sample-request.js";

/** Encodes, writes as text (as a file holds it), reads back. */
function roundTrip(spans: readonly Span[]): Span[] {
  const text = JSON.stringify(encodeTraceRequestJson(spans));
  const decoded = decodeTraceRequestJson(JSON.parse(text));
  expect(decoded.rejectedSpans).toBe(0);
  expect(decoded.errors).toEqual([]);
  return decoded.spans;
}

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8"));

describe("encodeTraceRequestJson", () => {
  it("round-trips the opentelemetry-proto trace example exactly", () => {
    const spans = decodeTraceRequestJson(example("trace.json")).spans;
    expect(spans.length).toBeGreaterThan(0);
    expect(roundTrip(spans)).toStrictEqual(spans);
  });

  it("round-trips a protobuf request with kvlists, bytes, int64 past 2^53, non-finite doubles and links", () => {
    const root = loadOtlpRoot();
    const Request = root.lookupType(`${PKG}.ExportTraceServiceRequest`);
    const bytes = Request.encode(Request.fromObject(protoRequest())).finish();
    const spans = decodeTraceRequestProtobuf(bytes).spans;
    expect(spans.length).toBeGreaterThan(1);
    const back = roundTrip(spans);
    expect(back).toStrictEqual(spans);
    // And again: a second export of the imported spans is the same text.
    expect(JSON.stringify(encodeTraceRequestJson(back))).toBe(JSON.stringify(encodeTraceRequestJson(spans)));
  });

  it("keeps every field of a span with values of every kind", () => {
    const span = richSpan();
    const [back] = roundTrip([span]);
    // Non-finite doubles are strings after any decode (JSON has no NaN); every other value is exact.
    expect(back).toStrictEqual({
      ...span,
      attributes: { ...span.attributes, "not.a.number": "NaN", infinite: "Infinity" },
    });
  });

  it("keeps a -0 double (JSON's numbers cannot write one)", () => {
    const span: Span = { ...richSpan(), attributes: { zero: -0, list: [-0, 0] } };
    const back = roundTrip([span])[0] as Span;
    expect(Object.is(back.attributes.zero, -0)).toBe(true);
    expect((back.attributes.list as number[]).map((v) => Object.is(v, -0))).toEqual([true, false]);
  });

  it("writes the OTLP/JSON encoding: hex ids, decimal-string nanoseconds, integer enums, typed AnyValues", () => {
    const span = richSpan();
    const request = encodeTraceRequestJson([span]);
    const [resourceSpans] = request.resourceSpans;
    const json = resourceSpans?.scopeSpans[0]?.spans[0];
    expect(json).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      parentSpanId: "00f067aa0ba902b7",
      traceState: "vendor=abc,other=1",
      flags: 257,
      kind: 2,
      startTimeUnixNano: "1700000000123456789",
      endTimeUnixNano: "1700000000987654321",
      status: { code: 2, message: "Payment Declined" },
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
    });
    const value = (key: string) => json?.attributes.find((kv) => kv.key === key)?.value;
    expect(value("http.response.status_code")).toEqual({ intValue: "502" });
    expect(value("ratio")).toEqual({ doubleValue: 0.25 });
    expect(value("cached")).toEqual({ boolValue: false });
    expect(value("nothing")).toEqual({});
    expect(value("infinite")).toEqual({ doubleValue: "Infinity" });
    expect(value("tags")?.arrayValue?.values[5]).toEqual({ arrayValue: { values: [{ stringValue: "nested" }] } });
    expect(value("user")?.kvlistValue?.values[0]).toEqual({ key: "id", value: { stringValue: "u-1" } });
    expect(json?.events[0]).toMatchObject({ timeUnixNano: "1700000000500000001", droppedAttributesCount: 2 });
    expect(json?.links[0]).toMatchObject({ traceState: "k=v", flags: 1, droppedAttributesCount: 1 });
    expect(resourceSpans?.scopeSpans[0]?.scope).toEqual({
      name: "@opentelemetry/instrumentation-http",
      version: "0.52.0",
      attributes: [{ key: "scope.attr", value: { intValue: "1" } }],
    });
  });

  it("groups spans by resource and scope, by content as well as by reference", () => {
    const a = richSpan();
    const b = { ...richSpan(), spanId: "b7ad6b7169203332" };
    const c = { ...richSpan(), spanId: "b7ad6b7169203333", scope: { name: "other", version: "" } };
    const d = {
      ...richSpan(),
      spanId: "b7ad6b7169203334",
      service: "email",
      resource: { "service.name": "email" },
    };
    const request = encodeTraceRequestJson([a, b, c, d]);
    expect(request.resourceSpans).toHaveLength(2);
    expect(request.resourceSpans[0]?.scopeSpans.map((s) => s.spans.length)).toEqual([2, 1]);
    expect(request.resourceSpans[0]?.scopeSpans[1]?.scope).toEqual({ name: "other" });
    expect(roundTrip([a, b, c, d])).toStrictEqual(
      [a, b, c, d].map((s) => ({
        ...s,
        attributes: { ...s.attributes, "not.a.number": "NaN", infinite: "Infinity" },
      })),
    );
  });
});
