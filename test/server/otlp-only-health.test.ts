import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { otlpOnlyHealth } from "../../src/server/otlp-only-health.js";
import { createHostPolicy } from "../../src/server/security.js";

let server: Server | null = null;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

/** A port that answers with otlpOnlyHealth, and 418 for whatever it leaves to the rest of the port. */
async function extraPort(): Promise<number> {
  const health = otlpOnlyHealth({
    receives: "otlp-http",
    mainPort: () => 9999,
    baseUrl: () => "http://localhost:9999",
    hostPolicy: createHostPolicy("127.0.0.1"),
  });
  server = createServer((request, response) => {
    if (!health(request, response)) response.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("an extra OTLP port's GET /api/health", () => {
  it("says whose port it is and where the UI and API are, as a 404", async () => {
    const port = await extraPort();
    const answer = await fetch(`http://127.0.0.1:${port}/api/health?x=1`);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({
      error: {
        code: "not_found",
        message: "this port of tracekit-local takes only OTLP/HTTP; the UI and API are at http://localhost:9999",
      },
      otlpOnlyPort: { name: "tracekit-local", receives: "otlp-http", mainPort: 9999, url: "http://localhost:9999" },
    });
  });

  it("leaves other requests, and a Host that is not this server's (DNS rebinding), to the rest of the port", async () => {
    const port = await extraPort();
    expect((await fetch(`http://127.0.0.1:${port}/api/healthz`)).status).toBe(418);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`, { method: "POST" })).status).toBe(418);
    const rebound = await new Promise<number | undefined>((resolve, reject) => {
      const request = createRequestWithHost(port, "evil.example");
      request.on("response", (response) => resolve(response.statusCode));
      request.on("error", reject);
      request.end();
    });
    expect(rebound).toBe(418);
  });
});

/** fetch does not let a Host header be set; node:http does. */
function createRequestWithHost(port: number, host: string) {
  return httpRequest({ host: "127.0.0.1", port, path: "/api/health", headers: { Host: host } });
}
