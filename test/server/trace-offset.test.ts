import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

describe("GET /api/traces?offset (as scripts written for the first local UI page)", () => {
  let app: TestApp;
  /** Trace ids newest first: trace i starts i ms after the first and lasts 10 − i ms; odd ones fail. */
  const newestFirst: string[] = [];
  beforeAll(async () => {
    app = await startTestApp();
    for (let i = 0; i < 10; i++) {
      const request = jsonTraceRequest("shop", [
        {
          name: `op ${i}`,
          startNs: 1_800_000_000_000_000_000n + BigInt(i) * 1_000_000n,
          durationNs: BigInt(10 - i) * 1_000_000n,
          statusCode: i % 2 === 1 ? 2 : 0,
        },
      ]);
      expect((await postJson(app.base, request)).status).toBe(200);
      const spans = (request as any).resourceSpans[0].scopeSpans[0].spans;
      newestFirst.unshift(spans[0].traceId);
    }
  });
  afterAll(async () => {
    await app.close();
  });

  const ids = async (query: string): Promise<string[]> => {
    const response = await fetch(`${app.base}/api/traces?${query}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as any).traces.map((t: any) => t.traceId);
  };

  it("skips that many traces of the list, page after page, to an empty page past its end", async () => {
    expect(await ids("limit=3&offset=0")).toEqual(newestFirst.slice(0, 3));
    expect(await ids("limit=3&offset=3")).toEqual(newestFirst.slice(3, 6));
    expect(await ids("limit=3&offset=9")).toEqual(newestFirst.slice(9));
    expect(await ids("limit=3&offset=10")).toEqual([]);
    expect(await ids("limit=3&offset=500")).toEqual([]);
  });

  it("skips within the filtered list, in any order, and after a cursor", async () => {
    const failing = newestFirst.filter((_, i) => i % 2 === 0); // newest first: trace 9, 7, 5, 3, 1
    expect(await ids("status=error&limit=2&offset=2")).toEqual(failing.slice(2, 4));
    expect(await ids("sort=duration&order=asc&limit=2&offset=1")).toEqual(newestFirst.slice(1, 3));
    const first = (await (await fetch(`${app.base}/api/traces?limit=2`)).json()) as any;
    expect(await ids(`limit=2&offset=2&cursor=${encodeURIComponent(first.nextCursor)}`)).toEqual(
      newestFirst.slice(4, 6),
    );
  });

  it("refuses an offset that is no whole number of traces with 400 and a reason", async () => {
    for (const offset of ["-1", "1.5", "abc"]) {
      const response = await fetch(`${app.base}/api/traces?offset=${offset}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.message).toContain("offset must be a whole number");
    }
  });
});
