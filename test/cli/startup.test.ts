import { describe, expect, it } from "vitest";
import { useCliRuns } from "../helpers/cli.js";
import { connectLive, waitFor } from "../helpers/live.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

const cli = useCliRuns({ TRACEKIT_NO_BROWSER: "1" });

// The routes of the web app and API, Hono's Node adapter and the WebSocket package are loaded after
// the URL is printed (or by the first request that needs them): requests sent the moment it appears
// wait for them, and are answered as they would be later.
describe("requests sent as soon as the URL is printed", () => {
  it("are all answered: health, a page, an OTLP export and the live feed", async () => {
    const run = cli(["--port", "0", "--no-open"]);
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      run.child.stdout?.on("data", (chunk) => {
        out += chunk;
        const match = /UI:\s+(http:\/\/\S+)/.exec(out);
        if (match) resolve((match[1] as string).replace("localhost", "127.0.0.1"));
      });
      run.child.once("exit", () => reject(new Error(`exited before its URL: ${run.stderr()}`)));
    });
    const traceId = newTraceId();
    const [health, page, exported, live] = await Promise.all([
      fetch(`${url}/api/health`),
      fetch(`${url}/`),
      fetch(`${url}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "User-Agent": "startup-test" },
        body: JSON.stringify(jsonTraceRequest("early-service", [{ traceId, name: "GET /first" }])),
      }),
      connectLive(Number(new URL(url).port), { origin: url }),
    ]);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(exported.status).toBe(200);
    // The live feed starts with the server's snapshot, and then (or in it) tells of the exported trace.
    await waitFor(() => (JSON.stringify(live.messages).includes(traceId) ? true : undefined));
    live.ws.close();
    const traces = await fetch(`${url}/api/traces/${traceId}`);
    expect(traces.status).toBe(200);
    expect(run.stderr()).toBe("");
  });
});
