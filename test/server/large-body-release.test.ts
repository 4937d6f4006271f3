import { describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import type { Span } from "../../src/domain/span.js";
import type { ForwardSink } from "../../src/forward/forwarder.js";
import { OTLP_GRPC_SERVICES } from "../../src/otlp/grpc-services.js";
import { encodeExportRequestFromJson } from "../../src/otlp/protobuf/from-json.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { ownBody, readBody, releaseBody } from "../../src/server/body.js";
import { exportSignal, traceSignal } from "../../src/server/routes/otlp.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { eventually, startUpstream } from "../forward/upstream.js";
import { startTestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { traceRouteDeps } from "../helpers/otlp-route-deps.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

// A large export's body is freed as soon as it is decoded (when nothing forwards it): its bytes are
// moved out of the buffer the receiver read, which is left empty, and what was stored from it is intact.
// Only a buffer the body reader made for the body alone is emptied. So too a large OTLP/gRPC message.

/** One trace of `spans` spans, each with a long URL attribute of its own (about 230 bytes of JSON a span). */
function request(traceId: string, spans: number): Record<string, unknown> {
  return jsonTraceRequest(
    "big",
    Array.from({ length: spans }, (_, i) => ({
      traceId,
      name: `GET /items/${i}`,
      attributes: {
        "url.full": `http://localhost:8080/items/${i}?${"q".repeat(60)}`,
        "http.response.status_code": 200,
      },
    })),
  );
}

function exporter(store: Store, forward?: ForwardSink, owned = true) {
  const deps = traceRouteDeps(store, 32 * 1024 * 1024, { forward });
  const signal = traceSignal(deps);
  return (body: Uint8Array, contentType: string) =>
    exportSignal(
      signal,
      {
        header: (name) => (name === "content-type" ? contentType : undefined),
        body: async () => (owned ? ownBody(body) : body),
      },
      deps,
    );
}

const MIB = 1024 * 1024;

describe("a large export's body", () => {
  for (const encoding of ["json", "protobuf"] as const) {
    it(`is freed once decoded, and its spans are stored whole (${encoding})`, async () => {
      const store = createMemoryStore({ maxSpans: 20_000 });
      const post = exporter(store);
      const traceId = newTraceId();
      const json = request(traceId, 6_000);
      const body =
        encoding === "json"
          ? new TextEncoder().encode(JSON.stringify(json))
          : encodeExportRequestFromJson("/v1/traces", json);
      const size = body.byteLength;
      expect(size).toBeGreaterThan(1.2 * MIB);
      const answer = await post(body, encoding === "json" ? "application/json" : "application/x-protobuf");
      expect(answer.status).toBe(200);
      // The receiver's buffer gave its bytes away.
      expect(body.byteLength).toBe(0);
      expect(body.buffer.byteLength).toBe(0);
      const spans = store.getTrace(traceId) ?? [];
      expect(spans).toHaveLength(6_000);
      const last = spans.find((span) => span.name === "GET /items/5999");
      expect(last?.attributes).toEqual({
        "url.full": `http://localhost:8080/items/5999?${"q".repeat(60)}`,
        "http.response.status_code": 200,
      });
    });
  }

  it("is left as it is when smaller than 1 MiB", async () => {
    const store = createMemoryStore({ maxSpans: 20_000 });
    const post = exporter(store);
    const traceId = newTraceId();
    const body = new TextEncoder().encode(JSON.stringify(request(traceId, 2_000)));
    const size = body.byteLength;
    expect(size).toBeGreaterThan(256 * 1024);
    expect(size).toBeLessThan(MIB);
    expect((await post(body, "application/json")).status).toBe(200);
    expect(body.byteLength).toBe(size);
    expect(store.getTrace(traceId)).toHaveLength(2_000);
  });

  it("is left whole when its reader did not make its buffer for it alone (a stream's chunk, a view of a larger buffer)", async () => {
    const store = createMemoryStore({ maxSpans: 20_000 });
    const post = exporter(store, undefined, false);
    const traceId = newTraceId();
    const json = new TextEncoder().encode(JSON.stringify(request(traceId, 6_000)));
    const shared = new Uint8Array(json.byteLength + 16);
    shared.set(json);
    shared.fill(7, json.byteLength);
    const body = shared.subarray(0, json.byteLength);
    expect((await post(body, "application/json")).status).toBe(200);
    expect(store.getTrace(traceId)).toHaveLength(6_000);
    expect(shared.byteLength).toBe(json.byteLength + 16);
    expect(shared.at(-1)).toBe(7);
  });

  it("is marked its own by the body reader when copied into a buffer of its own, not when it is a stream's one chunk", async () => {
    const size = 2 * MIB;
    // Read by its declared length: a buffer of its own, freed.
    const read = await readBody(
      new Request("http://127.0.0.1/v1/traces", {
        method: "POST",
        body: new Uint8Array(size).fill(1),
        headers: { "content-length": String(size) },
      }),
      32 * MIB,
    );
    expect(read.byteLength).toBe(size);
    releaseBody(read);
    expect(read.byteLength).toBe(0);
    // Chunked, in one chunk that is a view of a larger buffer: the stream's chunk comes back as it is,
    // and its buffer, with what else is in it, is left alone.
    const shared = new Uint8Array(size + 16).fill(2);
    const chunked = await readBody(
      new Request("http://127.0.0.1/v1/traces", {
        method: "POST",
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(shared.subarray(0, size));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit),
      32 * MIB,
    );
    expect(chunked.byteLength).toBe(size);
    releaseBody(chunked);
    expect(chunked.byteLength).toBe(size);
    expect(shared.at(-1)).toBe(2);
  });

  it("is handed whole to forwarding", async () => {
    const store = createMemoryStore({ maxSpans: 20_000 });
    const forwarded: Uint8Array[] = [];
    const post = exporter(store, {
      received(_path, sent) {
        if ("protobuf" in sent) forwarded.push(sent.protobuf);
      },
    });
    const traceId = newTraceId();
    const body = encodeExportRequestFromJson("/v1/traces", request(traceId, 6_000));
    const copy = Uint8Array.from(body);
    expect((await post(body, "application/x-protobuf")).status).toBe(200);
    expect(forwarded).toHaveLength(1);
    expect(Buffer.from(forwarded[0] as Uint8Array).equals(Buffer.from(copy))).toBe(true);
    expect(store.getTrace(traceId)).toHaveLength(6_000);
  });
});

describe("a large OTLP/gRPC message", { timeout: 30_000 }, () => {
  for (const gzip of [false, true]) {
    it(`is freed once decoded, and its spans are stored whole (gzip ${gzip})`, async () => {
      const app = await startTestApp({ otlpGrpcPort: 0 });
      // The buffers a message is copied into as its frames arrive (and grpc-js inflates one into) are
      // watched: the receiver's is left empty once decoded.
      const joined: Buffer[] = [];
      const { allocUnsafe, concat } = Buffer;
      Buffer.allocUnsafe = (size: number) => {
        const out = allocUnsafe(size);
        if (out.byteLength >= MIB) joined.push(out);
        return out;
      };
      Buffer.concat = (list: readonly Uint8Array[], length?: number) => {
        const out = concat(list, length);
        if (out.byteLength >= MIB) joined.push(out);
        return out;
      };
      const client = exportClient(Number(new URL(app.otlpGrpcEndpoint ?? "").port), OTLP_GRPC_SERVICES.traces, {
        gzip,
      });
      try {
        const traceId = newTraceId();
        const body = encodeExportRequestFromJson("/v1/traces", request(traceId, 6_000));
        expect(body.byteLength).toBeGreaterThan(1.2 * MIB);
        const { error } = await client.send(body);
        expect(error).toBeNull();
        expect(joined.some((buffer) => buffer.byteLength === 0)).toBe(true);
        const { spans } = await readJson(fetch(`${app.base}/api/traces/${traceId}`));
        expect(spans).toHaveLength(6_000);
        expect(spans.find((span: Span) => span.name === "GET /items/5999")?.attributes).toEqual({
          "url.full": `http://localhost:8080/items/5999?${"q".repeat(60)}`,
          "http.response.status_code": 200,
        });
      } finally {
        Buffer.allocUnsafe = allocUnsafe;
        Buffer.concat = concat;
        client.close();
        await app.close();
      }
    });
  }

  it("is handed whole to forwarding", async () => {
    const up = await startUpstream();
    const app = await startTestApp({ otlpGrpcPort: 0, forward: [up.url] });
    const client = exportClient(Number(new URL(app.otlpGrpcEndpoint ?? "").port), OTLP_GRPC_SERVICES.traces);
    try {
      const traceId = newTraceId();
      const { error } = await client.send(encodeExportRequestFromJson("/v1/traces", request(traceId, 6_000)));
      expect(error).toBeNull();
      const forwarded = () =>
        up
          .delivered()
          .flatMap((r) => decodeTraceRequestProtobuf(r.body).spans)
          .filter((span) => span.traceId === traceId);
      await eventually(() => (forwarded().length >= 6_000 ? true : undefined));
      expect(forwarded()).toHaveLength(6_000);
      expect((await readJson(fetch(`${app.base}/api/traces/${traceId}`))).spans).toHaveLength(6_000);
    } finally {
      client.close();
      await app.close();
      await up.close();
    }
  });
});
