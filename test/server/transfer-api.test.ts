import { readFileSync } from "node:fs";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { encodeExportRequestFromJson } from "../../src/otlp/protobuf/from-json.js";
import type { ImportResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8");

let source: TestApp;
let target: TestApp;
beforeAll(async () => {
  source = await startTestApp();
  target = await startTestApp();
});
afterAll(async () => {
  await source.close();
  await target.close();
});

async function postImport(app: TestApp, body: BodyInit, headers: Record<string, string> = {}, query = "") {
  const response = await fetch(`${app.base}/api/import${query}`, { method: "POST", body, headers });
  return { status: response.status, body: (await response.json()) as ImportResponse & { error?: { message: string } } };
}

describe("GET /api/export", () => {
  const traceId = newTraceId();
  const root = newSpanId();
  beforeAll(async () => {
    await postJson(
      source.base,
      jsonTraceRequest("shop", [
        { traceId, spanId: root, name: "GET /cart", attributes: { "http.route": "/cart", retries: 3 } },
        { traceId, parentSpanId: root, name: "SELECT cart", statusCode: 2, statusMessage: "timeout" },
      ]),
    );
    await postJson(source.base, jsonTraceRequest("mail", [{ name: "send welcome" }]));
  });

  it("downloads one trace as an OTLP/JSON document that another instance imports to the same spans", async () => {
    const response = await fetch(`${source.base}/api/export?trace=${traceId.toUpperCase()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="trace-${traceId}.json"`);
    const text = await response.text();
    expect(decodeTraceRequestJson(JSON.parse(text)).spans).toHaveLength(2);

    const imported = await postImport(target, text);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ traces: 1, traceIds: [traceId], spans: 2, rejected: 0, errors: [] });
    const before = await (await fetch(`${source.base}/api/traces/${traceId}`)).json();
    const after = await (await fetch(`${target.base}/api/traces/${traceId}`)).json();
    expect(after).toEqual(before);

    // Named twice, it is the same one document.
    const twice = await fetch(`${source.base}/api/export?trace=${traceId}&trace=${traceId.toUpperCase()}`);
    expect(twice.headers.get("content-type")).toBe("application/json");
    expect(await twice.text()).toBe(text);
  });

  it("streams the filtered list as JSON Lines, one request per trace", async () => {
    const response = await fetch(`${source.base}/api/export?service=mail`);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="traces-\d{8}-\d{6}\.jsonl"$/);
    const lines = (await response.text()).split("\n").filter(Boolean);
    expect(lines.map((line) => decodeTraceRequestJson(JSON.parse(line)).spans[0]?.name)).toEqual(["send welcome"]);
    const all = (await (await fetch(`${source.base}/api/export`)).text()).split("\n").filter(Boolean);
    expect(all).toHaveLength(2);
    const recent = await (await fetch(`${source.base}/api/export?since=${Date.now() - 3_600_000}`)).text();
    // The test spans start in 2023: none started within the last hour.
    expect(recent).toBe("");
  });

  it("answers an unknown trace with 404 and a bad id or since with 400", async () => {
    const unknown = await fetch(`${source.base}/api/export?trace=${"f".repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("trace_not_found");
    // Several traces: all of them, or a 404 naming those not stored.
    const some = await fetch(`${source.base}/api/export?trace=${traceId}&trace=${"e".repeat(32)}`);
    expect(some.status).toBe(404);
    expect((await some.json()).error.message).toBe(`no trace ${"e".repeat(32)}`);
    const bad = await fetch(`${source.base}/api/export?trace=xyz`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${source.base}/api/export?since=yesterday`)).status).toBe(400);
    // A query that does not parse, as the trace list answers it (it was a 500 once the answer had begun).
    const query = await fetch(`${source.base}/api/export?q=${encodeURIComponent("status=")}`);
    expect(query.status).toBe(400);
    expect((await query.json()).error).toMatchObject({ code: "bad_query", position: 7 });
  });
});

describe("POST /api/import", () => {
  it("imports JSON Lines of every signal, gzip by its magic bytes, and counts what it stored", async () => {
    const oneLine = (name: string) => JSON.stringify(JSON.parse(fixture(name)));
    const body = gzipSync(`${[oneLine("trace.json"), oneLine("logs.json"), oneLine("metrics.json")].join("\n")}\n`);
    const { status, body: answer } = await postImport(target, body, { "Content-Type": "application/octet-stream" });
    expect(status).toBe(200);
    expect(answer.spans).toBe(decodeTraceRequestJson(JSON.parse(fixture("trace.json"))).spans.length);
    expect(answer.logRecords).toBeGreaterThan(0);
    expect(answer.dataPoints).toBeGreaterThan(0);
    expect(answer.errors).toEqual([]);
  });

  it("imports the whole lines of a dropped gzip file cut short, then says it broke off, as the CLI does", async () => {
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify(jsonTraceRequest(`cut-${i}`, [{ name: "job" }])),
    );
    const gz = gzipSync(`${lines.join("\n")}\n`);
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const whole = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString().split("\n").length - 1;
    expect(whole).toBeGreaterThan(0);
    const { status, body: answer } = await postImport(target, cut);
    expect(status).toBe(200);
    expect(answer.spans).toBe(whole);
    expect(answer.errors).toEqual([
      { where: "byte 0", message: "gzip data is broken (unexpected end of file) after what was read before it" },
    ]);
    // A single protobuf request cut short has nothing whole to read: refused as before.
    const request = jsonTraceRequest(
      "cut",
      Array.from({ length: 50 }, (_, i) => ({ name: `job ${i}` })),
    );
    const damaged = gzipSync(encodeExportRequestFromJson("/v1/traces", request));
    const refused = await postImport(target, damaged.subarray(0, damaged.length - 30));
    expect(refused.status).toBe(400);
  });

  it("stores a dropped file's trace again after retention evicted it", async () => {
    const small = await startTestApp({ maxSpans: 4 });
    try {
      const traceId = newTraceId();
      const root = newSpanId();
      const saved = JSON.stringify(
        jsonTraceRequest("shop", [
          { traceId, spanId: root, name: "GET /cart" },
          { traceId, parentSpanId: root, name: "SELECT cart" },
        ]),
      );
      expect((await postImport(small, saved)).body).toMatchObject({ spans: 2, rejected: 0 });
      for (let i = 0; i < 4; i++) await postJson(small.base, jsonTraceRequest("shop", [{ name: `other ${i}` }]));
      expect((await fetch(`${small.base}/api/traces/${traceId}`)).status).toBe(404);
      const again = await postImport(small, saved);
      expect(again.body).toMatchObject({ traces: 1, traceIds: [traceId], spans: 2, rejected: 0, errors: [] });
      expect((await fetch(`${small.base}/api/traces/${traceId}`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it("counts what retention evicted while the body was stored", async () => {
    const small = await startTestApp({ maxSpans: 3 });
    try {
      const lines = [0, 1, 2, 3, 4].map((i) => JSON.stringify(jsonTraceRequest("shop", [{ name: `job ${i}` }])));
      const { status, body: answer } = await postImport(small, `${lines.join("\n")}\n`);
      expect(status).toBe(200);
      expect(answer).toMatchObject({ spans: 5, traces: 5, evicted: { traces: 2, spans: 2, logRecords: 0 } });
      const again = await postImport(small, JSON.stringify(jsonTraceRequest("shop", [{ name: "one more" }])));
      expect(again.body.evicted).toEqual({ traces: 1, spans: 1, logRecords: 0 });
    } finally {
      await small.close();
    }
  });

  it("names bad lines from the `line` the body starts at, and stores the rest", async () => {
    const good = () => JSON.stringify(jsonTraceRequest("svc", [{ name: "fine" }]));
    const { status, body } = await postImport(target, `${good()}\nnot json\n${good()}\n`, {}, "?line=41");
    expect(status).toBe(200);
    expect(body.spans).toBe(2);
    expect(body.errors).toEqual([{ where: "line 42", message: expect.stringMatching(/not valid JSON/) }]);
  });

  it("reads JSON Lines whose first lines are damaged as JSON Lines, and a document laid out over lines as one", async () => {
    const good = () => JSON.stringify(jsonTraceRequest("svc", [{ name: "fine" }]));
    const damaged = `{"resourceSpans": [\nnot json\n${good()}\n${good()}\n`;
    const lines = await postImport(target, damaged);
    expect(lines.status).toBe(200);
    expect(lines.body.spans).toBe(2);
    expect(lines.body.errors.map((e) => e.where)).toEqual(["line 1", "line 2"]);
    const entry = JSON.stringify(jsonTraceRequest("svc", [{ name: "laid out" }]).resourceSpans);
    const laidOut = await postImport(target, `{"resourceSpans":\n${entry}\n}\n`);
    expect(laidOut.status).toBe(200);
    expect(laidOut.body.spans).toBe(1);
    expect(laidOut.body.errors).toEqual([]);
  });

  it("refuses a body nothing can be read from with 400 and the reason", async () => {
    const { status, body } = await postImport(target, "hello");
    expect(status).toBe(400);
    expect(body.error?.message).toMatch(/^byte 0: not OTLP JSON/);
    // A zstd file is told by its magic bytes: what is read instead is named.
    const zstd = await postImport(target, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x03, 0x19, 0x00, 0x00]));
    expect(zstd.status).toBe(400);
    expect(zstd.body.error?.message).toBe(
      "byte 0: zstd-compressed data is not supported: only gzip (or no compression) is; decompress it first",
    );
    // An empty or blank file says so, not what a decoder makes of a newline.
    for (const [blank, message] of [
      ["", "the file is empty: nothing to import"],
      ["\n\n  \n", "the file holds nothing but white space: nothing to import"],
      [gzipSync("\n\n"), "the file holds nothing but white space: nothing to import"],
    ] as const) {
      const answer = await postImport(target, blank);
      expect(answer.status).toBe(400);
      expect(answer.body.error?.message).toBe(message);
    }
    // A piece of a large file (the page sends one in whole lines) may end in blank lines: nothing to say.
    const piece = await postImport(target, "\n  \r\n", {}, "?line=40001&lines=1");
    expect(piece.status).toBe(200);
    expect(piece.body.errors).toEqual([]);
  });

  it("accepts imports from the app's own page only", async () => {
    const good = JSON.stringify(jsonTraceRequest("svc", [{ name: "from a page" }]));
    const other = await postImport(target, good, { Origin: "http://localhost:3000" });
    expect(other.status).toBe(403);
    const own = await postImport(target, good, { Origin: `http://localhost:${target.port}` });
    expect(own.status).toBe(200);
  });
});
