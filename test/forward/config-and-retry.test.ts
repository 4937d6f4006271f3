import { describe, expect, it } from "vitest";
import { ConfigError, parseForwardHeader, parseForwardUrl, resolveConfig } from "../../src/config.js";
import {
  backoffDelayMs,
  isRetryableStatus,
  MAX_BACKOFF_MS,
  parseRetryAfterMs,
  retryDelayMs,
} from "../../src/forward/retry.js";

describe("--forward and --forward-header values", () => {
  it("reads a base URL; a URL ending in a signal path is read as the base before it", () => {
    expect(parseForwardUrl("http://collector:4318")).toEqual({ url: "http://collector:4318", authorization: null });
    expect(parseForwardUrl("http://collector:4318/")).toEqual({ url: "http://collector:4318", authorization: null });
    expect(parseForwardUrl("https://otlp.example.com/v1/traces").url).toBe("https://otlp.example.com");
    expect(parseForwardUrl("https://tempo.example.com/otlp/v1/metrics/").url).toBe("https://tempo.example.com/otlp");
  });

  it("turns credentials in the URL into Basic auth and never keeps them in the shown URL", () => {
    const { url, authorization } = parseForwardUrl("https://me:p%40ss@gateway.example.com:443/");
    expect(url).toBe("https://gateway.example.com");
    expect(authorization).toBe(`Basic ${Buffer.from("me:p@ss").toString("base64")}`);
  });

  it("refuses what is not an http(s) base URL, and malformed headers, with one line each", () => {
    for (const bad of [
      "collector:4318",
      "ftp://collector",
      "not a url",
      "http://c:4318/?x=1",
      "http://",
      "http:///v1/traces",
      "https:/collector:4318",
    ]) {
      expect(() => parseForwardUrl(bad)).toThrow(ConfigError);
    }
    expect(parseForwardHeader("x-api-key=abc=123")).toEqual(["x-api-key", "abc=123"]);
    for (const bad of ["x-api-key", "=v", "bad name=v", "content-encoding=br", "x=a\nb"]) {
      expect(() => parseForwardHeader(bad)).toThrow(ConfigError);
    }
    // What Node would refuse to send with each request: past Latin-1, and control characters.
    for (const bad of ["x-tenant=équipe-ключ", "x-api-key=a\u007fb", "x-api-key=a\u0001b"]) {
      expect(() => parseForwardHeader(bad)).toThrow(/its value has a character a header cannot carry/);
    }
    expect(parseForwardHeader("x-tenant=équipe\tA")).toEqual(["x-tenant", "équipe\tA"]);
    // Each says what is wrong with it.
    expect(() => parseForwardHeader("bad name=v")).toThrow(
      `--forward-header "bad name=v": a header name is letters, digits and !#$%&'*+-.^_\`|~ only (no spaces), not "bad name"`,
    );
    expect(() => parseForwardHeader("x-api-key")).toThrow(/must be name=value, e.g. x-api-key=abc123/);
    expect(() => parseForwardHeader("x=a\nb")).toThrow("--forward-header x: its value has a line break or NUL");
    expect(() => resolveConfig({ forwardHeader: ["x-api-key=1"] }, {})).toThrow(/--forward-header needs --forward/);
    expect(() => resolveConfig({ forward: ["http://a:4318"], forwardCompression: "br" }, {})).toThrow(
      /--forward-compression must be gzip or none/,
    );
    expect(resolveConfig({ forward: ["http://a:4318"], forwardCompression: "none" }, {}).forward[0]?.compression).toBe(
      "none",
    );
  });

  it("applies every header to every target", () => {
    const config = resolveConfig(
      { forward: ["http://a:4318", "https://u:p@b.example.com/v1/logs"], forwardHeader: ["x-api-key=k"] },
      {},
    );
    expect(config.forward.map((t) => t.url)).toEqual(["http://a:4318", "https://b.example.com"]);
    expect(config.forward[0]?.endpoints["/v1/metrics"]).toBe("http://a:4318/v1/metrics");
    expect(config.forward[1]?.endpoints["/v1/traces"]).toBe("https://b.example.com/v1/traces");
    expect(config.forward[0]?.headers).toEqual({ "x-api-key": "k" });
    expect(config.forward[0]?.compression).toBe("gzip");
    expect(config.forward[1]?.headers).toEqual({ Authorization: `Basic ${btoa("u:p")}`, "x-api-key": "k" });
    expect(resolveConfig({}, {}).forward).toEqual([]);
    // One upstream named twice takes each batch once.
    const twice = resolveConfig({ forward: ["http://a:4318", "http://a:4318/", "http://b:4318", "http://a:4318"] }, {});
    expect(twice.forward.map((t) => t.url)).toEqual(["http://a:4318", "http://b:4318"]);
  });

  it("refuses to forward to its own OTLP port (a loop)", () => {
    expect(() => resolveConfig({ port: 9999, forward: ["http://localhost:9999"] }, {})).toThrow(
      /its own OTLP receiver|own OTLP receiver/,
    );
    expect(() => resolveConfig({ otlpHttpPort: 4318, forward: ["http://127.0.0.1:4318/v1/traces"] }, {})).toThrow(
      /forward everything forever/,
    );
    expect(resolveConfig({ port: 9999, forward: ["http://localhost:4318"] }, {}).forward).toHaveLength(1);
  });
});

describe("when a forwarded batch is tried again", () => {
  it("retries exactly the spec's retryable statuses", () => {
    expect([429, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 500, 501].some(isRetryableStatus)).toBe(false);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfterMs("3", now)).toBe(3000);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("86400", now)).toBe(5 * 60_000);
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
    expect(parseRetryAfterMs("soon", now)).toBeNull();
  });

  it("waits out a Retry-After, but never less than the backoff (a Retry-After of 0 is no reason to hurry)", () => {
    expect(retryDelayMs(0, 3000, () => 1)).toBe(3000);
    expect(retryDelayMs(0, 0, () => 0)).toBe(250);
    expect(retryDelayMs(4, 0, () => 1)).toBe(8000);
    expect(retryDelayMs(4, 1000, () => 1)).toBe(8000);
    expect(retryDelayMs(2, null, () => 0.5)).toBe(1500);
  });

  it("backs off exponentially with jitter between half and all of the ceiling, capped", () => {
    expect(backoffDelayMs(0, () => 0)).toBe(250);
    expect(backoffDelayMs(0, () => 1)).toBe(500);
    expect(backoffDelayMs(3, () => 0.5)).toBe(3000);
    expect(backoffDelayMs(40, () => 1)).toBe(MAX_BACKOFF_MS);
  });
});
