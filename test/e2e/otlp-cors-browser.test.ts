/// <reference lib="dom" />
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** An app's own page on another loopback port than tracekit-local's, as a dev server serves one. */
async function startPageServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>shop</title><p>shop</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}/` };
}

describe.skipIf(!available)("browser exporters on a localhost page of another port", () => {
  const suite = useAppInChromium();
  let app: TestApp;
  let pageServer: { server: Server; url: string };
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    pageServer = await startPageServer();
  });
  afterAll(async () => {
    await new Promise((resolve) => pageServer?.server.close(resolve));
  });

  beforeEach(async () => {
    app = suite.app;
    page = await suite.browser.newPage();
    page.setDefaultTimeout(15_000);
    problems = collectPageProblems(page);
    await page.goto(pageServer.url);
    return () => page.close();
  });

  it("stores the spans an OpenTelemetry JS 1.x exporter sends with navigator.sendBeacon (credentials included)", async () => {
    const traceId = newTraceId();
    const body = JSON.stringify(jsonTraceRequest("beacon-shop", [{ traceId }]));
    // What @opentelemetry/exporter-trace-otlp-http 0.57 and earlier do when given no `headers`.
    const queued = await page.evaluate(
      ({ url, json }) => navigator.sendBeacon(url, new Blob([json], { type: "application/json" })),
      { url: `http://localhost:${app.port}/v1/traces`, json: body },
    );
    expect(queued).toBe(true);
    await expect
      .poll(async () => (await fetch(`${app.base}/api/traces/${traceId}`)).status, { timeout: 10_000 })
      .toBe(200);
    expect(problems).toEqual([]);
  });

  it("lets the page read the 404 of an exporter url without /v1/traces, instead of a CORS failure", async () => {
    const answer = await page.evaluate(async (url) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans: [] }),
      });
      return { status: response.status, body: await response.text() };
    }, `http://localhost:${app.port}`);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error.message).toBe(
      "nothing at POST /: OTLP/HTTP traces go to /v1/traces, logs to /v1/logs, metrics to /v1/metrics; the exporter's url must name the signal's path",
    );
    // The console tells the 404, not a CORS problem.
    expect(problems.filter((problem) => /CORS/i.test(problem))).toEqual([]);
  });
});
