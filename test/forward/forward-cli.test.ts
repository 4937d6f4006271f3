import { describe, expect, it } from "vitest";
import { useCliRuns, waitForUrl } from "../helpers/cli.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";
import { eventually, startUpstream } from "./upstream.js";

const start = useCliRuns();

describe("tracekit-local --forward on the command line", { timeout: 120_000 }, () => {
  it("exits 2 with one line for a bad --forward, --forward-header or --forward-compression", async () => {
    for (const args of [
      ["--forward", "ftp://collector:4318"],
      ["--forward", "collector:4318"],
      ["--forward-header", "x-api-key=abc"],
      ["--forward", "http://collector:4318", "--forward-header", "x-api-key"],
      ["--forward", "http://collector:4318", "--forward-header", "x-tenant=équipe-ключ"],
      ["--forward", "http://collector:4318", "--forward-compression", "br"],
    ]) {
      const run = start([...args, "--port", "0", "--no-open"]);
      expect(await run.exited, args.join(" ")).toBe(2);
      const lines = run.stderr().trim().split("\n");
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0]).toMatch(/error.*forward/i);
    }
  });

  it("prints a banner line per target, a line when it fails and when it recovers, and never the header's value", async () => {
    const up = await startUpstream();
    try {
      let down = true;
      up.behave(() => (down ? { status: 503 } : { status: 200 }));
      const run = start([
        "--port",
        "0",
        "--no-open",
        "--forward",
        `http://user:hunter2@127.0.0.1:${up.port}`,
        "--forward-header",
        "x-api-key=very-secret-key",
      ]);
      const { port } = await waitForUrl(run);
      expect(run.stdout()).toContain(
        `Forward: http://127.0.0.1:${up.port}  (everything received, OTLP/HTTP protobuf, gzip; headers Authorization, x-api-key)`,
      );
      expect(
        (await postJson(`http://127.0.0.1:${port}`, jsonTraceRequest("cli-fwd", [{ name: "GET /" }]))).status,
      ).toBe(200);
      await eventually(() => (run.stdout().includes("failed (HTTP 503: unavailable); retrying") ? true : undefined));
      down = false;
      await eventually(() =>
        run.stdout().includes(`forwarding to http://127.0.0.1:${up.port} works again`) ? true : undefined,
      );
      expect(up.delivered()).toHaveLength(1);
      expect(run.stdout()).not.toMatch(/very-secret-key|hunter2/);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      await up.close();
    }
  });

  it("stops within the grace period when the upstream never answers, saying so, and at once on a second Ctrl+C", async () => {
    const up = await startUpstream();
    try {
      up.behave(() => "hang");
      for (const twice of [false, true]) {
        const before = up.requests.length;
        const run = start(["--port", "0", "--no-open", "--forward", up.url]);
        const { port } = await waitForUrl(run);
        expect(
          (await postJson(`http://127.0.0.1:${port}`, jsonTraceRequest("cli-hang", [{ name: "GET /" }]))).status,
        ).toBe(200);
        // The batch is on its way: the upstream took the request and holds it without an answer.
        await eventually(() => (up.requests.length > before ? true : undefined));
        const stopAt = Date.now();
        run.child.kill("SIGINT");
        await eventually(() => (run.stdout().includes("Ctrl+C again") ? true : undefined));
        expect(run.stdout()).toMatch(
          /forwarding: sending the 1 batch \(\d+ B\) not yet taken upstream, for up to 2 s; Ctrl\+C again to stop now and drop it$/m,
        );
        if (twice) {
          const againAt = Date.now();
          run.child.kill("SIGINT");
          await run.exited;
          expect(Date.now() - againAt).toBeLessThan(1000);
          expect(run.stdout()).toContain("SIGINT again: exiting now");
        } else {
          expect(await run.exited).toBe(0);
          expect(Date.now() - stopAt).toBeLessThan(3500);
          expect(run.stdout()).toContain(`forwarding to ${up.url}: 1 batch (`);
          expect(run.stdout()).toMatch(/: 1 batch \(\d+ B\) not sent before stopping, dropped$/m);
        }
      }
    } finally {
      await up.close();
    }
  });

  it("names the upstream whose batches stopping dropped, of several --forward targets", async () => {
    const hung = await startUpstream();
    const taking = await startUpstream();
    try {
      hung.behave(() => "hang");
      const run = start(["--port", "0", "--no-open", "--forward", taking.url, "--forward", hung.url]);
      const { port } = await waitForUrl(run);
      await postJson(`http://127.0.0.1:${port}`, jsonTraceRequest("cli-two", [{ name: "GET /" }]));
      await eventually(() => (hung.requests.length > 0 && taking.delivered().length > 0 ? true : undefined));
      run.child.kill("SIGINT");
      expect(await run.exited).toBe(0);
      const line = run
        .stdout()
        .split("\n")
        .find((text) => text.includes("not sent before stopping"));
      expect(line).toMatch(
        new RegExp(
          `^  ! forwarding to ${hung.url.replace(/[.]/g, "\\.")}: 1 batch \\(\\d+ B\\) not sent before stopping, dropped$`,
        ),
      );
    } finally {
      await Promise.all([hung.close(), taking.close()]);
    }
  });
});
