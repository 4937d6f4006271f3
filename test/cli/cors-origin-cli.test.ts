import { describe, expect, it } from "vitest";
import { useCliRuns, waitForUrl } from "../helpers/cli.js";

const start = useCliRuns();

function preflight(port: number, path: string, origin: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST" },
  });
}

describe("--cors-origin and the lines of refused browser exports", { timeout: 120_000 }, () => {
  it("refuses a value that is not an origin with one line and exit 2", async () => {
    const run = start(["--cors-origin", "shop.test:5173", "--no-open", "--port", "0"]);
    expect(await run.exited).toBe(2);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('http(s)://host[:port] such as http://shop.test:5173, not "shop.test:5173"');
  });

  it("allows the origins it names, says so, and tells a refused origin once and an exporter url without its path", async () => {
    const run = start(["--port", "0", "--no-open", "--cors-origin", "http://shop.test:5173"]);
    const { port } = await waitForUrl(run);
    await expect.poll(() => run.stdout()).toContain("Press Ctrl+C");
    expect(run.stdout()).toContain("  CORS:    http://shop.test:5173  (and loopback pages)\n");
    const allowed = await preflight(port, "/v1/traces", "http://shop.test:5173");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    for (let i = 0; i < 3; i++)
      expect((await preflight(port, "/v1/traces", "http://other.test:5173")).status).toBe(403);
    const refusedLine =
      "  ! OPTIONS /v1/traces answered 403: a page on http://other.test:5173 may not send here: CORS is allowed for loopback pages (localhost, *.localhost, 127.x.x.x, [::1], on any port) and origins given with --cors-origin; to allow it, start tracekit-local with --cors-origin http://other.test:5173";
    await expect.poll(() => run.stdout()).toContain(refusedLine);
    const posted = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(0),
    });
    expect(posted.status).toBe(404);
    await expect
      .poll(() => run.stdout())
      .toContain(
        "  ! POST / answered 404: OTLP/HTTP traces go to /v1/traces, logs to /v1/logs, metrics to /v1/metrics; the exporter's url must name the signal's path",
      );
    expect(
      run
        .stdout()
        .split("\n")
        .filter((line) => line === refusedLine),
    ).toHaveLength(1);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});
