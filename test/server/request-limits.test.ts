import { gzipSync } from "node:zlib";
import { status as grpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { DEFAULT_REQUEST_LIMITS, MAX_ATTRIBUTES_PER_LIST } from "../../src/otlp/limits.js";
import { encodeExportRequestFromJson } from "../../src/otlp/protobuf/from-json.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { jsonTraceRequest, newSpanId, newTraceId } from "../helpers/payloads.js";

let app: TestApp;
let grpcPort: number;
beforeAll(async () => {
  app = await startTestApp({ otlpGrpcPort: 0, maxSpans: 1_000_000 });
  grpcPort = Number(new URL(app.otlpGrpcEndpoint ?? "").port);
});
afterAll(async () => {
  await app.close();
});

function post(body: Uint8Array | string, contentType: string, encoding?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (encoding !== undefined) headers["content-encoding"] = encoding;
  return fetch(`${app.base}/v1/traces`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : Buffer.from(body),
  });
}

async function spanCount(): Promise<number> {
  return (await readJson(fetch(`${app.base}/api/health`))).counts.spans;
}

/** `count` one-span traces in one request, as OTLP/JSON. */
function oneSpanTraces(count: number, service = "many"): Record<string, unknown> {
  const spans: unknown[] = [];
  for (let i = 0; i < count; i++) {
    spans.push({ traceId: newTraceId(), spanId: newSpanId(), name: "a", startTimeUnixNano: "1", endTimeUnixNano: "2" });
  }
  const resource = { attributes: [{ key: "service.name", value: { stringValue: service } }] };
  return { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "test" }, spans }] }] };
}

describe("requests past a limit are refused whole, with the reason, and nothing else is lost", () => {
  it("too many spans: 413 in both encodings and over gRPC; stored traces and the next request are untouched", async () => {
    const kept = newTraceId();
    expect(
      (await post(JSON.stringify(jsonTraceRequest("before", [{ traceId: kept }])), "application/json")).status,
    ).toBe(200);
    const before = await spanCount();
    const tooMany = oneSpanTraces(DEFAULT_REQUEST_LIMITS.maxItems + 1);
    const reason = "the request holds more than 100,000 spans, the most accepted in one request; send smaller batches";

    const json = await post(JSON.stringify(tooMany), "application/json");
    expect(json.status).toBe(413);
    expect(await readJson(json)).toEqual({
      code: 8,
      message: `cannot decode JSON ExportTraceServiceRequest: ${reason}`,
    });

    const protobuf = encodeExportRequestFromJson("/v1/traces", tooMany);
    const viaProtobuf = await post(gzipSync(protobuf), "application/x-protobuf", "gzip");
    expect(viaProtobuf.status).toBe(413);
    expect(Buffer.from(await viaProtobuf.arrayBuffer()).toString("utf8")).toContain(reason);

    const client = exportClient(grpcPort, OTLP_GRPC_SERVICES.traces);
    try {
      const { error } = await client.send(protobuf);
      expect(error?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
      expect(error?.details).toContain(reason);
    } finally {
      client.close();
    }

    expect(await spanCount()).toBe(before);
    expect((await fetch(`${app.base}/api/traces/${kept}`)).status).toBe(200);
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts.rejectedRequests).toBeGreaterThanOrEqual(3);
    expect((await post(JSON.stringify(jsonTraceRequest("after", [{}])), "application/json")).status).toBe(200);
  }, 60_000);

  it("JSON nested past the depth limit: 400 with the reason, before it is parsed", async () => {
    const depth = 2_000_000;
    const response = await post(`${"[".repeat(depth)}${"]".repeat(depth)}`, "application/json");
    expect(response.status).toBe(400);
    expect((await readJson(response)).message).toBe(
      "cannot decode JSON ExportTraceServiceRequest: JSON nested deeper than 148 levels",
    );
  });

  it("too many resource groups: 413", async () => {
    const groups = Array.from({ length: DEFAULT_REQUEST_LIMITS.maxGroups + 1 }, () => ({ scopeSpans: [] }));
    const response = await post(JSON.stringify({ resourceSpans: groups }), "application/json");
    expect(response.status).toBe(413);
    expect((await readJson(response)).message).toContain("more than 10,000 resource groups");
  });
});

describe("large requests within the limits", () => {
  it("are stored whole, from JSON decoded in slices and from protobuf", async () => {
    const before = await spanCount();
    const json = JSON.stringify(oneSpanTraces(20_000, "large-json"));
    expect(json.length).toBeGreaterThan(1024 * 1024);
    const response = await post(json, "application/json");
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({});
    const protobuf = encodeExportRequestFromJson("/v1/traces", oneSpanTraces(20_000, "large-protobuf"));
    expect((await post(protobuf, "application/x-protobuf")).status).toBe(200);
    expect(await spanCount()).toBe(before + 40_000);
  }, 60_000);

  it("keep a span's first attributes and count the rest as dropped", async () => {
    const traceId = newTraceId();
    const attributes = Array.from({ length: 50_000 }, (_, i) => ({ key: `k${i}`, value: { intValue: String(i) } }));
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            { spans: [{ traceId, spanId: newSpanId(), name: "wide", attributes, droppedAttributesCount: 1 }] },
          ],
        },
      ],
    };
    const response = await post(encodeExportRequestFromJson("/v1/traces", body), "application/x-protobuf");
    expect(response.status).toBe(200);
    const [span] = (await readJson(fetch(`${app.base}/api/traces/${traceId}`))).spans;
    expect(Object.keys(span.attributes)).toHaveLength(MAX_ATTRIBUTES_PER_LIST);
    expect(span.droppedAttributesCount).toBe(50_000 - MAX_ATTRIBUTES_PER_LIST + 1);
  }, 30_000);
});
