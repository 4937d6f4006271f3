import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { BIN, useCliRuns, waitForUrl, watchRun } from "../helpers/cli.js";
import { readJson } from "../helpers/http.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const start = useCliRuns();

describe("--prices, --service-name-mapping and the config file", { timeout: 120_000 }, () => {
  it("refuses a bad prices file, mapping or config file with one line and exit 2", async () => {
    const dir = tempDir();
    try {
      const bad = join(dir.path, "bad.json");
      writeFileSync(bad, '{"models": {"m": {"input": "cheap", "output": 1}}}');
      const broken = join(dir.path, "broken.json");
      writeFileSync(broken, "{ not json");
      // JSON.parse quotes the text, here with its line break: the line still ends where it should.
      const text = join(dir.path, "notes.txt");
      writeFileSync(text, "hello\n");
      const unknown = join(dir.path, "unknown.json");
      writeFileSync(unknown, '{"maxSpan": 10}');
      for (const [args, message] of [
        [["--prices", bad], `--prices ${bad}: models["m"].input must be a number >= 0`],
        [["--prices", text], `--prices ${text}: is not valid JSON (Unexpected token 'h' in "hello\\n")`],
        [["--prices", join(dir.path, "missing.json")], "no such file"],
        [["--prices", broken], "is not valid JSON"],
        [["--service-name-mapping", "localhost:8082"], "Must be host[:port]=name"],
        [["--config", unknown], 'unknown setting "maxSpan"'],
      ] as const) {
        const run = start([...args, "--no-open", "--port", "0"]);
        expect(await run.exited, args.join(" ")).toBe(2);
        const lines = run.stderr().trim().split("\n");
        expect(lines, args.join(" ")).toHaveLength(1);
        expect(lines[0]).toContain(message);
      }
    } finally {
      dir.remove();
    }
  });

  it("says when it reads ./tracekit-local.json, and refuses its bad values naming the file and the key", async () => {
    const dir = tempDir();
    /** The CLI started in `dir`, where it finds the config file by itself. */
    const inDir = (args: string[]) => {
      return watchRun(spawn(process.execPath, [BIN, ...args], { cwd: dir.path, stdio: ["ignore", "pipe", "pipe"] }));
    };
    const file = join(dir.path, "tracekit-local.json");
    try {
      for (const [settings, line] of [
        [{ port: "abc" }, './tracekit-local.json: "port" must be a number'],
        [{ port: "9974" }, './tracekit-local.json: "port" must be a number'],
        [{ port: 70000 }, './tracekit-local.json: "port" must be a port number from 0 to 65535, not "70000"'],
        [{ maxSpans: 0 }, './tracekit-local.json: "maxSpans" must be a whole number of spans >= 1, not "0"'],
      ] as const) {
        writeFileSync(file, JSON.stringify(settings));
        const run = inDir(["--no-open"]);
        expect(await run.exited, JSON.stringify(settings)).toBe(2);
        expect(run.stderr()).toBe(`error: ${line}\n`);
      }
      writeFileSync(file, JSON.stringify({ port: 0, maxSpans: 1234 }));
      const run = inDir(["--no-open"]);
      try {
        await expect.poll(() => run.stdout()).toContain("Press Ctrl+C");
        expect(run.stdout()).toContain("  Config:  ./tracekit-local.json\n");
        // Every labelled line's value (Config, UI, OTLP, Store) starts in one column.
        const columns = run
          .stdout()
          .split("\n")
          .map((line) => /^ {2}\w+: +/.exec(line)?.[0].length)
          .filter((column) => column !== undefined);
        expect(columns.length).toBeGreaterThanOrEqual(4);
        expect(new Set(columns).size).toBe(1);
        expect(run.stdout()).toContain("up to 1,234 spans");
      } finally {
        run.child.kill("SIGTERM");
        await run.exited;
      }
    } finally {
      dir.remove();
    }
  });

  it("prices calls at the file's prices and names mapped peers on the map, set in a config file", async () => {
    const dir = tempDir();
    try {
      writeFileSync(
        join(dir.path, "prices.json"),
        JSON.stringify({ models: { "house-model": { input: 2, output: 10 } } }),
      );
      const config = join(dir.path, "settings.json");
      writeFileSync(
        config,
        JSON.stringify({ prices: "prices.json", serviceNameMapping: { "localhost:8082": "payment-service" } }),
      );
      const run = start(["--config", config, "--no-open", "--port", "0"]);
      const { url } = await waitForUrl(run);
      expect(run.stdout()).toContain("payment-service");
      const base = url.replace("localhost", "127.0.0.1");
      const traceId = newTraceId();
      const root = newSpanId();
      const sent = await postJson(
        base,
        jsonTraceRequest("shop", [
          { traceId, spanId: root, name: "POST /buy", kind: 2 },
          {
            traceId,
            parentSpanId: root,
            name: "POST",
            kind: 3,
            attributes: { "url.full": "http://localhost:8082/pay" },
          },
          {
            traceId,
            parentSpanId: root,
            name: "chat",
            kind: 3,
            attributes: {
              "gen_ai.response.model": "house-model-2025-01-01",
              "gen_ai.usage.input_tokens": 1_000,
              "gen_ai.usage.output_tokens": 100,
            },
          },
        ]),
      );
      expect(sent.status).toBe(200);
      const map = await readJson(fetch(`${base}/api/service-map`));
      expect(map.edges.map((e: { from: string; to: string }) => `${e.from} → ${e.to}`)).toContain(
        "service:shop → service:payment-service",
      );
      const llm = await readJson(fetch(`${base}/api/llm`));
      // 1,000 × $2 + 100 × $10 per 1M tokens.
      expect(llm.totals.usd).toBeCloseTo(0.003, 12);
      expect(llm.prices).toEqual({
        bundledDate: "2025-10-01",
        file: join(dir.path, "prices.json"),
        fileModels: ["house-model"],
      });
      const trace = await readJson(fetch(`${base}/api/traces/${traceId}`));
      const chat = trace.spans.find((s: { name: string }) => s.name === "chat");
      expect(chat.llmCost).toMatchObject({ priceKey: "house-model", pricesFile: join(dir.path, "prices.json") });
      // The list row's LLM mark is priced at the same table.
      const list = await readJson(fetch(`${base}/api/traces`));
      const row = list.traces.find((t: { traceId: string }) => t.traceId === traceId);
      expect(row.llm).toMatchObject({ calls: 1, unpricedCalls: 0 });
      expect(row.llm.usd).toBeCloseTo(0.003, 12);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      dir.remove();
    }
  });
});
