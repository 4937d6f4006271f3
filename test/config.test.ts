import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../src/config.js";
import { DEFAULT_MAX_METRIC_SERIES } from "../src/store/metric-store.js";

describe("resolveConfig", () => {
  it("honours TRACEKIT_NO_BROWSER=1 as the first TraceKit local UI did", () => {
    expect(resolveConfig({}, {}).open).toBe(true);
    expect(resolveConfig({}, { TRACEKIT_NO_BROWSER: "1" }).open).toBe(false);
    expect(resolveConfig({}, { TRACEKIT_NO_BROWSER: "true" }).open).toBe(false);
    expect(resolveConfig({}, { TRACEKIT_NO_BROWSER: "0" }).open).toBe(true);
    expect(resolveConfig({}, { TRACEKIT_NO_BROWSER: "" }).open).toBe(true);
    expect(resolveConfig({ open: false }, {}).open).toBe(false);
  });

  it("translates TraceKit local-UI span kinds unless --strict-span-kinds", () => {
    expect(resolveConfig({}, {}).strictSpanKinds).toBe(false);
    expect(resolveConfig({ strictSpanKinds: true }, {}).strictSpanKinds).toBe(true);
  });

  it("bounds metric series by --max-metric-series (a whole number >= 1)", () => {
    expect(resolveConfig({}, {}).maxMetricSeries).toBe(DEFAULT_MAX_METRIC_SERIES);
    expect(resolveConfig({ maxMetricSeries: "20_000" }, {}).maxMetricSeries).toBe(20_000);
    expect(() => resolveConfig({ maxMetricSeries: "0" }, {})).toThrow(
      '--max-metric-series must be a whole number of series >= 1, not "0"',
    );
    expect(() => resolveConfig({ maxMetricSeries: "1.5" }, {})).toThrow(ConfigError);
  });

  it("reads the port from TRACEKIT_LOCAL_PORT and rejects nonsense with ConfigError", () => {
    expect(resolveConfig({}, { TRACEKIT_LOCAL_PORT: "4000" }).port).toBe(4000);
    expect(() => resolveConfig({ port: "http" }, {})).toThrow(ConfigError);
  });

  it("bounds stored log records by --max-logs, with a default", () => {
    expect(resolveConfig({}, {}).maxLogs).toBeGreaterThan(0);
    expect(resolveConfig({ maxLogs: "1_000" }, {}).maxLogs).toBe(1000);
    expect(() => resolveConfig({ maxLogs: "0" }, {})).toThrow(/--max-logs must be a whole number of log records >= 1/);
  });

  it("reads the extra OTLP ports, which must differ from each other and from --port", () => {
    expect(resolveConfig({}, {})).toMatchObject({ otlpHttpPort: null, otlpGrpcPort: null });
    expect(resolveConfig({ otlpHttpPort: "4318", otlpGrpcPort: 4317 }, {})).toMatchObject({
      otlpHttpPort: 4318,
      otlpGrpcPort: 4317,
    });
    expect(resolveConfig({ port: 0, otlpHttpPort: 0, otlpGrpcPort: 0 }, {})).toMatchObject({
      otlpHttpPort: 0,
      otlpGrpcPort: 0,
    });
    expect(() => resolveConfig({ otlpGrpcPort: "grpc" }, {})).toThrow(
      '--otlp-grpc-port must be a port number from 0 to 65535, not "grpc"',
    );
    expect(() => resolveConfig({ otlpHttpPort: "9999" }, {})).toThrow(
      "--otlp-http-port 9999 is the same port as --port; give each its own",
    );
    expect(() => resolveConfig({ otlpHttpPort: "4318", otlpGrpcPort: "4318" }, {})).toThrow(ConfigError);
  });
});
