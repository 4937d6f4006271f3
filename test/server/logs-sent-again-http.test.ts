/**
 * POST /v1/logs with equal records: those of one request are all kept, and the records of a sender
 * that asks how many were stored already (`tracekit-local import`: a file imported twice) are kept
 * once, in memory and in a --db file (across a restart too). An application's exporter, which does
 * not ask, has every request stored: a loop logging one line sends equal requests.
 */
import { afterAll, describe, expect, it } from "vitest";
import { REPORT_DUPLICATES_HEADER } from "../../src/otlp/duplicates.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, newSpanId, newTraceId, postLogs } from "../helpers/payloads.js";

const dir = tempDir();
afterAll(() => dir.remove());
let files = 0;

const T = 1_700_000_000_123_000_000n;

async function storedLogs(app: TestApp): Promise<number> {
  return (await readJson(fetch(`${app.base}/api/health`))).counts.logs;
}

async function bodies(app: TestApp, query = ""): Promise<string[]> {
  const page = await readJson(fetch(`${app.base}/api/logs?limit=1000&order=asc${query}`));
  return page.logs.map((log: { body: unknown }) => log.body);
}

/** Posts a request as an exporter that asks how many of its records were stored already. */
async function post(app: TestApp, body: unknown): Promise<number> {
  const response = await postLogs(app.base, body, { [REPORT_DUPLICATES_HEADER]: "1" });
  expect(response.status).toBe(200);
  return Number(response.headers.get("x-tracekit-duplicates"));
}

for (const store of ["memory", "sqlite"] as const) {
  describe(`${store}: equal log records on /v1/logs`, () => {
    const start = () => startTestApp(store === "sqlite" ? { db: `${dir.path}/logs-${++files}.db` } : {});

    it("keeps both of two equal records of one request, and the request once when it is sent again", async () => {
      const app = await start();
      try {
        // As the report has it: a time, a severity, a body; no observed time.
        const request = jsonLogRequest("api", [
          { timeNs: T, body: "same" },
          { timeNs: T, body: "same" },
        ]);
        expect(await post(app, request)).toBe(0);
        expect(await bodies(app)).toEqual(["same", "same"]);
        // The exporter's retry after a lost answer: the same request again.
        expect(await post(app, request)).toBe(2);
        expect(await bodies(app)).toEqual(["same", "same"]);
        // A request with one more of them (a file that held three): the one more is stored.
        const three = jsonLogRequest(
          "api",
          [1, 2, 3].map(() => ({ timeNs: T, body: "same" })),
        );
        expect(await post(app, three)).toBe(2);
        expect(await storedLogs(app)).toBe(3);
      } finally {
        await app.close();
      }
    });

    it("keeps every request of an application's exporter, equal ones too (a loop logging one line)", async () => {
      const app = await start();
      try {
        const batch = jsonLogRequest(
          "api",
          Array.from({ length: 512 }, () => ({ timeNs: T, observedNs: T, body: "retrying connection" })),
        );
        const one = jsonLogRequest("api", [{ timeNs: T, observedNs: T, body: "payment failed" }]);
        for (const body of [batch, batch, one, one, one]) expect((await postLogs(app.base, body)).status).toBe(200);
        expect(await storedLogs(app)).toBe(1027);
        // A large request, stored in slices, twice.
        const large = jsonLogRequest(
          "api",
          Array.from({ length: 5000 }, () => ({ timeNs: T, observedNs: T, body: "large" })),
        );
        for (const body of [large, large]) expect((await postLogs(app.base, body)).status).toBe(200);
        expect(await storedLogs(app)).toBe(11_027);
      } finally {
        await app.close();
      }
    });

    it("keeps every equal record of a loop in one span, in a request stored in slices, and its retry once", async () => {
      const app = await start();
      try {
        const traceId = newTraceId();
        const spanId = newSpanId();
        const line = { timeNs: T, observedNs: T, body: "retrying", traceId, spanId };
        // Past the 2,000 records a request is stored in slices of: judged as one request.
        const request = jsonLogRequest(
          "api",
          Array.from({ length: 5000 }, () => line),
        );
        expect(await post(app, request)).toBe(0);
        expect(await storedLogs(app)).toBe(5000);
        expect(await post(app, request)).toBe(5000);
        expect(await storedLogs(app)).toBe(5000);
        const byTrace = await readJson(fetch(`${app.base}/api/logs?traceId=${traceId}&limit=1000`));
        expect(byTrace.logs).toHaveLength(1000);
      } finally {
        await app.close();
      }
    });
  });
}

describe("sqlite: a request sent again after a restart", () => {
  it("is stored once, and its equal records stay apart", async () => {
    const db = `${dir.path}/logs-restart.db`;
    const request = jsonLogRequest("api", [
      { timeNs: T, observedNs: T, body: "same" },
      { timeNs: T, observedNs: T, body: "same" },
      { timeNs: T + 1n, observedNs: T, body: "other" },
    ]);
    let app = await startTestApp({ db });
    try {
      expect(await post(app, request)).toBe(0);
    } finally {
      await app.close();
    }
    app = await startTestApp({ db });
    try {
      expect(await post(app, request)).toBe(3);
      expect(await bodies(app)).toEqual(["same", "same", "other"]);
    } finally {
      await app.close();
    }
  });
});
