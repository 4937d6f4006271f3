import { afterEach, describe, expect, it } from "vitest";
import type { AppEvent } from "../../src/app.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function preflight(url: string, origin: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", ...headers },
  });
}

async function counts(base: string) {
  return (await readJson(fetch(`${base}/api/health`))).counts;
}

/** The latest refusal, as the web app is sent it. */
async function lastRefusal(port: number) {
  const live = await connectLive(port);
  try {
    return (await waitFor(() => live.messages.find((message) => message.type === "rejections"))).last;
  } finally {
    live.ws.close();
  }
}

function clientErrors(events: AppEvent[]) {
  return events.filter((event) => event.type === "client-error");
}

const HINT =
  "OTLP/HTTP traces go to /v1/traces, logs to /v1/logs, metrics to /v1/metrics; the exporter's url must name the signal's path";

describe("CORS of the OTLP receiver with credentials (navigator.sendBeacon)", () => {
  it("allows credentials on a dev origin's preflight and POST, echoing the origin; /api/health keeps its rules", async () => {
    app = await startTestApp();
    for (const path of ["/v1/traces", "/v1/logs", "/v1/metrics"]) {
      const answer = await preflight(`${app.base}${path}`, "http://localhost:5173", {
        "access-control-request-headers": "content-type",
      });
      expect(answer.status).toBe(204);
      expect(answer.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      expect(answer.headers.get("access-control-allow-credentials")).toBe("true");
      expect(answer.headers.get("access-control-allow-headers")).toBe("content-type");
      expect(answer.headers.get("vary")).toMatch(/Origin/);
    }
    const traceId = newTraceId();
    const sent = await postJson(app.base, jsonTraceRequest("beacon", [{ traceId }]), {
      origin: "http://127.0.0.1:3000",
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:3000");
    expect(sent.headers.get("access-control-allow-credentials")).toBe("true");
    expect(sent.headers.get("vary")).toMatch(/Origin/);
    // Not for a foreign page, and not for /api/health, which a dev page reads without credentials.
    const foreign = await postJson(app.base, jsonTraceRequest("beacon", [{}]), { origin: "https://evil.example" });
    expect(foreign.headers.get("access-control-allow-credentials")).toBeNull();
    const health = await fetch(`${app.base}/api/health`, { headers: { origin: "http://localhost:5173" } });
    expect(health.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(health.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("a page on an origin CORS does not allow", () => {
  it("gets a 403 that says why and names --cors-origin, counted and told once per origin", async () => {
    app = await startTestApp();
    const before = await counts(app.base);
    const origin = "http://shop.test:5173";
    const message = `a page on ${origin} may not send here: CORS is allowed for loopback pages (localhost, *.localhost, 127.x.x.x, [::1], on any port) and origins given with --cors-origin; to allow it, start tracekit-local with --cors-origin ${origin}`;
    for (const path of ["/v1/traces", "/v1/traces", "/v1/logs"]) {
      const answer = await preflight(`${app.base}${path}`, origin);
      expect(answer.status).toBe(403);
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
      expect(await readJson(answer)).toEqual({ error: { code: "forbidden_origin", message } });
    }
    const after = await counts(app.base);
    expect(after.rejectedRequests).toBe(before.rejectedRequests + 1);
    expect(await lastRefusal(app.port)).toMatchObject({ method: "OPTIONS", path: "/v1/traces", status: 403, message });
    expect(clientErrors(app.events)).toEqual([
      { type: "client-error", path: "/v1/traces", status: 403, message, method: "OPTIONS" },
    ]);
    // Another origin is told in its turn; one with no origin of its own is told to serve the page from localhost.
    expect((await preflight(`${app.base}/v1/traces`, "http://api:3000")).status).toBe(403);
    const opaque = await preflight(`${app.base}/v1/traces`, "null");
    expect((await readJson(opaque)).error.message).toBe(
      'a page on origin "null" may not send here: CORS is allowed for loopback pages (localhost, *.localhost, 127.x.x.x, [::1], on any port) and origins given with --cors-origin; serve the page from http://localhost (any port)',
    );
    expect((await counts(app.base)).rejectedRequests).toBe(before.rejectedRequests + 3);
    expect(clientErrors(app.events)).toHaveLength(3);
    // Any website the user visits may send a preflight here: refused alike, but neither counted nor
    // told (the terminal would suggest allowing it), nor is a preflight to a path no exporter sends to.
    for (const [path, other] of [
      ["/v1/traces", "https://news.example.com"],
      ["/v1/traces", "http://203.0.113.7:8080"],
      ["/anything", "http://other.test:5173"],
    ] as const) {
      const answer = await preflight(`${app.base}${path}`, other);
      expect(answer.status).toBe(403);
      expect((await readJson(answer)).error.code).toBe("forbidden_origin");
    }
    expect((await counts(app.base)).rejectedRequests).toBe(before.rejectedRequests + 3);
    expect(clientErrors(app.events)).toHaveLength(3);
  });

  it("is allowed with --cors-origin, for OTLP and /api/health, while other origins stay refused", async () => {
    app = await startTestApp({ corsOrigin: ["http://shop.test:5173", "https://Shop.test/"] });
    for (const origin of ["http://shop.test:5173", "https://shop.test"]) {
      const answer = await preflight(`${app.base}/v1/traces`, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
      expect(answer.headers.get("access-control-allow-credentials")).toBe("true");
    }
    const traceId = newTraceId();
    const sent = await postJson(app.base, jsonTraceRequest("shop", [{ traceId }]), { origin: "http://shop.test:5173" });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("access-control-allow-origin")).toBe("http://shop.test:5173");
    expect((await fetch(`${app.base}/api/traces/${traceId}`)).status).toBe(200);
    const health = await fetch(`${app.base}/api/health`, { headers: { origin: "http://shop.test:5173" } });
    expect(health.headers.get("access-control-allow-origin")).toBe("http://shop.test:5173");
    // The database path is for this app's own page and non-browser clients only.
    expect((await readJson(health)).storage.path).toBeUndefined();
    for (const other of ["http://shop.test:5174", "http://shop.test", "http://other.test:5173"]) {
      expect((await preflight(`${app.base}/v1/traces`, other)).status).toBe(403);
    }
    // Changes stay with this app's own page.
    const clear = await fetch(`${app.base}/api/traces`, {
      method: "DELETE",
      headers: { origin: "http://shop.test:5173" },
    });
    expect(clear.status).toBe(403);
  });
});

describe("an exporter url without the signal's path", () => {
  it("gets its preflight answered on any path, and a POST of OTLP a 404 naming the paths, counted and told", async () => {
    app = await startTestApp();
    const before = await counts(app.base);
    const origin = "http://localhost:5173";
    for (const path of ["/", "/otlp", "/v1/trace"]) {
      const answer = await preflight(`${app.base}${path}`, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
    }
    const json = await fetch(`${app.base}/`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify(jsonTraceRequest("no-path", [{}])),
    });
    expect(json.status).toBe(404);
    expect(json.headers.get("access-control-allow-origin")).toBe(origin);
    expect(json.headers.get("access-control-allow-credentials")).toBe("true");
    expect(await readJson(json)).toEqual({ error: { code: "not_found", message: `nothing at POST /: ${HINT}` } });
    const protobuf = await fetch(`${app.base}/v1/traces/`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(0),
    });
    expect(protobuf.status).toBe(404);
    expect((await readJson(protobuf)).error.message).toBe(`nothing at POST /v1/traces/: ${HINT}`);
    // Another body is no exporter's: answered as before, neither counted nor told.
    const text = await fetch(`${app.base}/`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(text.status).toBe(404);
    expect((await readJson(text)).error.message).toBe("nothing at POST /");
    const after = await counts(app.base);
    expect(after.rejectedRequests).toBe(before.rejectedRequests + 2);
    expect(await lastRefusal(app.port)).toMatchObject({ path: "/v1/traces/", status: 404, message: HINT });
    expect(clientErrors(app.events)).toEqual([
      { type: "client-error", path: "/", status: 404, message: HINT },
      { type: "client-error", path: "/v1/traces/", status: 404, message: HINT },
    ]);
  });

  it("counts an endpoint given with its path too, as it was already told", async () => {
    app = await startTestApp();
    const before = await counts(app.base);
    const doubled = await fetch(`${app.base}/v1/traces/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(doubled.status).toBe(404);
    expect((await counts(app.base)).rejectedRequests).toBe(before.rejectedRequests + 1);
  });

  it("leaves the preflights of the API, the SDK protocol and MCP to their own rules", async () => {
    app = await startTestApp();
    for (const path of ["/api/traces", "/api/health", "/sdk/snapshots/capture", "/mcp"]) {
      const answer = await preflight(`${app.base}${path}`, "http://localhost:5173");
      expect(answer.status, path).not.toBe(204);
      expect(answer.headers.get("access-control-allow-origin"), path).toBeNull();
    }
    expect(clientErrors(app.events)).toEqual([]);
  });

  it("is answered so on the second OTLP/HTTP port too", async () => {
    app = await startTestApp({ otlpHttpPort: 0 });
    const port = Number(new URL(app.otlpHttpEndpoint ?? "").port);
    const answer = await preflight(`http://127.0.0.1:${port}/`, "http://localhost:5173");
    expect(answer.status).toBe(204);
    const posted = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(0),
    });
    expect(posted.status).toBe(404);
    expect((await readJson(posted)).error.message).toBe(`nothing at POST /: ${HINT}`);
    const refused = await preflight(`http://127.0.0.1:${port}/v1/traces`, "http://shop.test:5173");
    expect(refused.status).toBe(403);
    expect((await readJson(refused)).error.code).toBe("forbidden_origin");
  });
});
