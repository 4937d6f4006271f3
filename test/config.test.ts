import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseCorsOrigin, resolveConfig, withConfigFile } from "../src/config.js";
import { llmCostOf } from "../src/domain/llm-cost.js";
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

  it("reads --prices over the bundled table, and refuses a bad file with one line naming what is wrong", () => {
    const files: Record<string, unknown> = {
      "prices.json": {
        models: {
          "acme/house-model": { input: 1, output: 4, cachedInput: 0.5 },
          "gpt-4o": { input: 2, output: 8 },
        },
      },
      "list.json": [1, 2],
      "extra.json": { models: { x: { input: 1, output: 1 } }, currency: "EUR" },
      "negative.json": { models: { x: { input: -1, output: 1 } } },
      "typo.json": { models: { x: { input: 1, ouput: 1 } } },
    };
    const readJson = (path: string) => {
      if (!(path in files)) throw new Error("no such file");
      return files[path];
    };
    const bundled = resolveConfig({}, {}, readJson).prices;
    expect(bundled).toMatchObject({ file: null, fileModels: [], bundledDate: "2025-10-01" });
    const { prices } = resolveConfig({ prices: "prices.json" }, {}, readJson);
    expect(prices).toMatchObject({ file: "prices.json", fileModels: ["house-model", "gpt-4o"] });
    // 1,000 input (200 cached) and 100 output tokens of the added model: (800 × 1 + 200 × 0.5 + 100 × 4) / 1M.
    const usage = {
      "gen_ai.usage.input_tokens": 1_000,
      "gen_ai.usage.cached_tokens": 200,
      "gen_ai.usage.output_tokens": 100,
    };
    expect(llmCostOf({ "gen_ai.response.model": "house-model-v2", ...usage }, prices.table)?.usd).toBeCloseTo(
      0.0013,
      12,
    );
    // An override replaces the bundled price; other bundled models stay.
    expect(llmCostOf({ "gen_ai.response.model": "gpt-4o-2024-08-06", ...usage }, prices.table)?.usd).toBeCloseTo(
      (1_000 * 2 + 100 * 8) / 1e6,
      12,
    );
    expect(llmCostOf({ "gen_ai.response.model": "claude-haiku-4-5", ...usage }, prices.table)?.priceKey).toBe(
      "claude-haiku-4-5",
    );
    const problem = (file: string) => {
      try {
        resolveConfig({ prices: file }, {}, readJson);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error("no error");
    };
    expect(problem("missing.json")).toBe("--prices missing.json: no such file");
    expect(problem("list.json")).toMatch(/^--prices list.json: must be a JSON object/);
    expect(problem("extra.json")).toBe('--prices extra.json: has an unknown key "currency" (only "models" is read)');
    expect(problem("negative.json")).toBe(
      '--prices negative.json: models["x"].input must be a number >= 0 (USD per million tokens)',
    );
    expect(problem("typo.json")).toBe('--prices typo.json: models["x"] has an unknown field "ouput"');
    for (const message of Object.keys(files)
      .filter((f) => f !== "prices.json")
      .map(problem)) {
      expect(message).not.toContain("\n");
    }
  });

  it("maps called hosts to service names with --service-name-mapping host[:port]=name", () => {
    const { peerNames } = resolveConfig(
      { serviceNameMapping: ["localhost:8082=payment-service", "Cache.Local=redis-main", "[::1]:9000=ipv6-svc"] },
      {},
    );
    expect([...peerNames]).toEqual([
      ["localhost:8082", "payment-service"],
      ["cache.local", "redis-main"],
      ["::1:9000", "ipv6-svc"],
    ]);
    for (const bad of ["localhost:8082", "=name", "host:port=name", "a b=c"]) {
      expect(() => resolveConfig({ serviceNameMapping: [bad] }, {})).toThrow(
        `--service-name-mapping must be host[:port]=name, e.g. localhost:8082=payment-service, not "${bad}"`,
      );
    }
  });

  it("reads --cors-origin as page origins, spelled as browsers send them, and refuses anything else", () => {
    const { corsOrigins } = resolveConfig(
      { corsOrigin: ["http://shop.test:5173", "https://Shop.Test:443/", "http://shop.test:5173/", "http://api:80"] },
      {},
    );
    expect(corsOrigins).toEqual(["http://shop.test:5173", "https://shop.test", "http://api"]);
    expect(resolveConfig({}, {}).corsOrigins).toEqual([]);
    for (const bad of [
      "shop.test:5173",
      "http:/shop.test",
      "ftp://shop.test",
      "http://shop.test/app",
      "http://u:p@shop.test",
      "*",
    ]) {
      expect(() => resolveConfig({ corsOrigin: [bad] }, {})).toThrow(
        `--cors-origin must be a page's origin, http(s)://host[:port] such as http://shop.test:5173, not "${bad}"`,
      );
    }
    expect(parseCorsOrigin("http://LOCALHOST:3000")).toBe("http://localhost:3000");
    expect(withConfigFile({}, { corsOrigin: ["http://shop.test:5173"] }, "tracekit-local.json").corsOrigin).toEqual([
      "http://shop.test:5173",
    ]);
    expect(() => withConfigFile({}, { corsOrigin: ["shop.test"] }, "tracekit-local.json")).toThrow(
      `tracekit-local.json: "corsOrigin" must be a page's origin, http(s)://host[:port] such as http://shop.test:5173, not "shop.test"`,
    );
    expect(() => withConfigFile({}, { corsOrigin: "http://shop.test" }, "tracekit-local.json")).toThrow(
      `tracekit-local.json: "corsOrigin" must be an array of strings`,
    );
  });

  it("takes settings from a config file under the flags, with paths relative to the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tracekit-config-"));
    try {
      const file = join(dir, "tracekit-local.json");
      const settings = {
        port: 4000,
        maxSpans: 1000,
        open: false,
        db: "data/traces.db",
        serviceNameMapping: { "localhost:8082": "payment-service" },
      };
      writeFileSync(file, JSON.stringify(settings));
      const merged = withConfigFile({ port: 5000, serviceNameMapping: undefined }, settings, file);
      const config = resolveConfig(merged, {});
      expect(config.port).toBe(5000);
      expect(config.maxSpans).toBe(1000);
      expect(config.open).toBe(false);
      expect(config.dbPath).toBe(join(dir, "data", "traces.db"));
      expect(config.peerNames.get("localhost:8082")).toBe("payment-service");
      // A flag given on the command line replaces the file's value.
      const flagged = resolveConfig(withConfigFile({ serviceNameMapping: ["localhost:8082=pay"] }, settings, file), {});
      expect([...flagged.peerNames]).toEqual([["localhost:8082", "pay"]]);
      expect(() => withConfigFile({}, { maxSpan: 10 }, file)).toThrow(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: unknown setting "maxSpan" \\(known: port, host,`),
      );
      expect(() => withConfigFile({}, { open: "no" }, file)).toThrow(`${file}: "open" must be true or false`);
      expect(() => withConfigFile({}, [], file)).toThrow(ConfigError);
      expect(() => resolveConfig(withConfigFile({}, { serviceNameMapping: { "x:y": "z" } }, file), {})).toThrow(
        /--service-name-mapping must be host\[:port\]=name/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
