/**
 * The REST shapes keep an int64 past 2^53 as the decimal string it is kept as, and name only the
 * values sent as bytes in `bytes`: the places of such int64s (which export uses) stay inside.
 */
import { describe, expect, it } from "vitest";
import { decodeLogRequestJson } from "../src/otlp/json/logs.js";
import { decodeTraceRequestJson } from "../src/otlp/json/traces.js";
import { logToJson, spansToCompactJson, spansToSharedJson, spanToJson } from "../src/protocol-json.js";

const big = { intValue: "12345678901234567" };
const blob = { bytesValue: "AQI=" };
const attributes = [
  { key: "big", value: big },
  { key: "blob", value: blob },
  { key: "list", value: { arrayValue: { values: [big, blob] } } },
];
const resource = { attributes: [{ key: "service.name", value: { stringValue: "api" } }, ...attributes] };
const scope = { name: "lib", attributes };
const expectedBytes = ["blob", ["list", 1]];
const expectedAttributes = { big: "12345678901234567", blob: "AQI=", list: ["12345678901234567", "AQI="] };

function span() {
  const request = {
    resourceSpans: [
      {
        resource,
        scopeSpans: [
          {
            scope,
            spans: [
              {
                traceId: "5b8efff798038103d269b633813fc60c",
                spanId: "eee19b7ec3c1b174",
                name: "GET /",
                startTimeUnixNano: "1",
                endTimeUnixNano: "2",
                attributes,
                events: [{ name: "e", timeUnixNano: "1", attributes }],
                links: [{ traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b173", attributes }],
              },
            ],
          },
        ],
      },
    ],
  };
  const [decoded] = decodeTraceRequestJson(request).spans;
  if (decoded === undefined) throw new Error("no span");
  return decoded;
}

describe("int64s past 2^53 in the REST shapes", () => {
  it("a span, its events, links, resource and scope name only their bytes values", () => {
    const json = spanToJson(span());
    expect(json.attributes).toEqual(expectedAttributes);
    expect(json.bytes).toEqual(expectedBytes);
    expect(json.resourceBytes).toEqual(expectedBytes);
    expect(json.events[0]?.bytes).toEqual(expectedBytes);
    expect(json.links[0]?.bytes).toEqual(expectedBytes);
    expect(json.scope.bytes).toEqual(expectedBytes);

    const shared = spansToSharedJson([span(), span()]);
    expect(shared.scopes).toEqual([{ name: "lib", version: "", attributes: expectedAttributes, bytes: expectedBytes }]);
    const compact = spansToCompactJson("5b8efff798038103d269b633813fc60c", [span()]);
    expect(compact.scopes).toEqual(shared.scopes);
  });

  it("a log record names only its bytes values, in its attributes, body and resource", () => {
    const request = {
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            { scope, logRecords: [{ timeUnixNano: "1", body: { kvlistValue: { values: attributes } }, attributes }] },
          ],
        },
      ],
    };
    const [record] = decodeLogRequestJson(request).logs;
    if (record === undefined) throw new Error("no record");
    const json = logToJson({ seq: 1, record });
    expect(json.body).toEqual(expectedAttributes);
    expect(json.bytes).toEqual({ body: [["blob"], ["list", 1]], attributes: expectedBytes, resource: expectedBytes });
    expect(json.scope.bytes).toEqual(expectedBytes);

    // A body that is an int64 alone names nothing.
    const alone = decodeLogRequestJson({
      resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: [{ timeUnixNano: "1", body: big }] }] }],
    }).logs[0];
    if (alone === undefined) throw new Error("no record");
    expect(logToJson({ seq: 2, record: alone }).bytes).toEqual({ attributes: undefined, resource: expectedBytes });
  });
});
