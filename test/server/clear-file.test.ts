import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { jsonLogRequest, jsonTraceRequest, postJson, postLogs } from "../helpers/payloads.js";

describe("Clear with --db", () => {
  const dir = tempDir();
  const path = join(dir.path, "clear.db");
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ db: path });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const fileBytes = () => statSync(path).size + statSync(`${path}-wal`).size;

  it("gives the file's space back once traces, logs and metrics are deleted", async () => {
    const body = "x".repeat(4_000);
    for (let request = 0; request < 20; request++) {
      const spans = Array.from({ length: 50 }, () => ({ attributes: { body } }));
      expect((await postJson(app.base, jsonTraceRequest("shop", spans))).status).toBe(200);
      const records = Array.from({ length: 50 }, () => ({ body }));
      expect((await postLogs(app.base, jsonLogRequest("shop", records))).status).toBe(200);
    }
    expect(fileBytes()).toBeGreaterThan(6_000_000);
    const cleared = await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    expect(await cleared.json()).toEqual({ cleared: true, success: true });
    expect(fileBytes()).toBeLessThan(1_000_000);
    // Still a working store.
    expect((await postJson(app.base, jsonTraceRequest("shop", [{ name: "after" }]))).status).toBe(200);
    const list = (await (await fetch(`${app.base}/api/traces`)).json()) as { traces: { name: string }[] };
    expect(list.traces.map((trace) => trace.name)).toEqual(["after"]);
  });
});
