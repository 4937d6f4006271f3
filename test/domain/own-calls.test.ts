import { describe, expect, it } from "vitest";
import { isOwnCallSpan, type OwnAddress } from "../../src/domain/own-calls.js";
import type { Attributes, Span, SpanKind } from "../../src/domain/span.js";

const own: OwnAddress = {
  port: 9999,
  isOwnHost: (host) => host === "localhost" || host === "127.0.0.1" || host === "::1",
};

function span(kind: SpanKind, attributes: Attributes): Span {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: null,
    name: "POST",
    kind,
    service: "app",
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    status: { code: "UNSET" },
    attributes,
    events: [],
    links: [],
    resource: {},
    scope: { name: "", version: "" },
  };
}

describe("isOwnCallSpan", () => {
  it("recognises exports, health probes and the snapshot protocol sent to this server", () => {
    const cases: Attributes[] = [
      { "http.url": "http://localhost:9999/v1/traces" },
      { "url.full": "http://127.0.0.1:9999/v1/metrics" },
      { "url.full": "http://[::1]:9999/v1/logs" },
      { "url.full": "http://localhost:9999/api/health" },
      { "url.full": "http://localhost:9999/sdk/snapshots/active/app?x=1" },
      { "server.address": "localhost", "server.port": 9999, "url.path": "/v1/traces" },
      { "net.peer.name": "localhost", "net.peer.port": "9999", "http.target": "/api/health" },
      { "http.host": "localhost:9999", "http.target": "/v1/traces" },
      // A TraceKit SDK given a run's endpoint (`tracekit-local run`) sends under its path.
      { "http.url": "http://localhost:9999/run/ab12cd34/v1/metrics" },
      { "url.full": "http://localhost:9999/run/ab12cd34/sdk/snapshots/active/app" },
    ];
    for (const attributes of cases) {
      expect(isOwnCallSpan(span("CLIENT", attributes), own), JSON.stringify(attributes)).toBe(true);
    }
  });

  it("keeps every other call, and anything that is not a CLIENT span", () => {
    const cases: Attributes[] = [
      { "http.url": "http://localhost:9998/v1/traces" },
      { "http.url": "http://payments:9999/v1/traces" },
      { "http.url": "http://localhost:9999/api/traces" },
      { "http.url": "http://localhost:9999/users" },
      { "http.url": "http://localhost:9999/run/ab12cd34/users" },
      { "http.url": "http://localhost:9999/runs/ab12cd34/v1/traces" },
      { "url.full": "not a url" },
      { "url.path": "/v1/traces" },
      {},
    ];
    for (const attributes of cases) {
      expect(isOwnCallSpan(span("CLIENT", attributes), own), JSON.stringify(attributes)).toBe(false);
    }
    expect(isOwnCallSpan(span("SERVER", { "http.url": "http://localhost:9999/v1/traces" }), own)).toBe(false);
    expect(isOwnCallSpan(span("INTERNAL", { "http.url": "http://localhost:9999/v1/traces" }), own)).toBe(false);
  });

  it("takes the default port from the scheme", () => {
    const onPort80: OwnAddress = { ...own, port: 80 };
    expect(isOwnCallSpan(span("CLIENT", { "url.full": "http://localhost/v1/traces" }), onPort80)).toBe(true);
    expect(isOwnCallSpan(span("CLIENT", { "url.full": "https://localhost/v1/traces" }), onPort80)).toBe(false);
  });

  it("on the second OTLP/HTTP port, only exports are this server's", () => {
    const withOtlpPort: OwnAddress = { ...own, otlpHttpPort: 4318 };
    const at = (url: string) => span("CLIENT", { "url.full": url });
    expect(isOwnCallSpan(at("http://localhost:4318/v1/traces"), withOtlpPort)).toBe(true);
    expect(isOwnCallSpan(at("http://127.0.0.1:4318/v1/logs?x=1"), withOtlpPort)).toBe(true);
    expect(isOwnCallSpan(at("http://localhost:4318/api/health"), withOtlpPort)).toBe(false);
    expect(isOwnCallSpan(at("http://payments:4318/v1/traces"), withOtlpPort)).toBe(false);
    expect(isOwnCallSpan(at("http://localhost:4318/v1/traces"), own)).toBe(false);
  });
});

describe("the TraceKit SDKs' probe of the usual address", () => {
  it("is the SDK's own call on any port this server listens on, failed or not; nothing else at 9999 is", () => {
    const elsewhere: OwnAddress = { ...own, port: 9651 };
    const at = (url: string) => span("CLIENT", { "url.full": url });
    expect(isOwnCallSpan(at("http://localhost:9999/api/health"), elsewhere)).toBe(true);
    expect(isOwnCallSpan(at("http://127.0.0.1:9999/api/health?x=1"), elsewhere)).toBe(true);
    expect(
      isOwnCallSpan(
        span("CLIENT", { "server.address": "localhost", "server.port": 9999, "url.path": "/api/health" }),
        elsewhere,
      ),
    ).toBe(true);
    // Another program at 9999, or another host: not the probe.
    expect(isOwnCallSpan(at("http://localhost:9999/v1/traces"), elsewhere)).toBe(false);
    expect(isOwnCallSpan(at("http://localhost:9999/sdk/snapshots/active/app"), elsewhere)).toBe(false);
    expect(isOwnCallSpan(at("http://payments:9999/api/health"), elsewhere)).toBe(false);
    expect(isOwnCallSpan(at("http://localhost:9998/api/health"), elsewhere)).toBe(false);
  });
});
