import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { jsonLogRequest, jsonTraceRequest, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

/**
 * Reads of the file that fail as a failing disk fails them: while `readsFailing` matches a statement,
 * SQLite's own error type with an I/O error's code is thrown where the driver would step it. A full disk
 * is made for real (`max_page_count`); a failing read cannot be, so it is made at the driver's edge.
 */
const faults = vi.hoisted(() => ({ readsFailing: null as RegExp | null }));
vi.mock("better-sqlite3", async (importOriginal) => {
  type Statement = Record<string, (...args: unknown[]) => unknown>;
  type Database = { prepare(sql: string): Statement };
  const Driver = (
    (await importOriginal()) as { default: (new (...args: unknown[]) => Database) & { SqliteError: any } }
  ).default;
  function FaultyDriver(...args: unknown[]): Database {
    const db = new Driver(...args);
    const prepare = db.prepare.bind(db);
    db.prepare = (sql: string) => {
      const statement = prepare(sql);
      for (const step of ["get", "all", "iterate"]) {
        const run = (statement[step] as (...args: unknown[]) => unknown).bind(statement);
        statement[step] = (...values: unknown[]) => {
          if (faults.readsFailing?.test(sql)) throw new Driver.SqliteError("disk I/O error", "SQLITE_IOERR_READ");
          return run(...values);
        };
      }
      return statement;
    };
    return db;
  }
  FaultyDriver.SqliteError = Driver.SqliteError;
  return { default: FaultyDriver };
});

const dir = tempDir();
let app: TestApp;
let pragma: (statement: string) => unknown;

beforeAll(async () => {
  app = await startTestApp({
    db: join(dir.path, "store.db"),
    onDatabasePragma: (run) => {
      pragma = run;
    },
  });
});

afterAll(async () => {
  await app.close();
  dir.remove();
});

async function answer(response: Response): Promise<{ status: number; retryAfter: string | null; body: any }> {
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
}

describe("a store that cannot read its --db file", () => {
  it("answers an API read 503 store_unavailable saying the read failed", async () => {
    expect((await postLogs(app.base, jsonLogRequest("read-fails", [{ body: "kept" }]))).status).toBe(200);
    faults.readsFailing = /FROM log_records/;
    try {
      expect(await answer(await fetch(`${app.base}/api/logs?limit=5`))).toEqual({
        status: 503,
        retryAfter: "5",
        body: {
          error: {
            code: "store_unavailable",
            message: "the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later",
          },
        },
      });
    } finally {
      faults.readsFailing = null;
    }
    expect(app.events).toContainEqual({
      type: "client-error",
      method: "GET",
      path: "/api/logs",
      status: 503,
      message: "the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later",
    });
    expect((await fetch(`${app.base}/api/logs?limit=5`)).status).toBe(200);
  });

  it("tells a failed commit as a write, and the failed read back of the file after it as a read, to readers and senders", async () => {
    const [{ page_count }] = pragma("page_count") as [{ page_count: number }];
    const filler = "f".repeat(2048);
    const bulky = jsonLogRequest(
      "full-then-unread",
      Array.from({ length: 200 }, (_, i) => ({ body: `${i}${filler}` })),
    );
    // The disk is full, and the log store's read of the file after the commit rolls back fails too.
    pragma(`max_page_count = ${page_count}`);
    faults.readsFailing = /FROM log_state/;
    try {
      const refused = await answer(await postLogs(app.base, bulky));
      expect(refused).toMatchObject({ status: 503, retryAfter: "5" });
      expect(refused.body.message).toMatch(
        /^cannot store the log record\(s\) now: the store could not write to its file \(SQLITE_FULL: .*\); retry later$/,
      );
      pragma("max_page_count = 1073741823");
      // Room again, but memory is not what the file holds until it reads: every use reads it first.
      const read = await answer(await fetch(`${app.base}/api/logs?limit=5`));
      expect(read).toEqual({
        status: 503,
        retryAfter: "5",
        body: {
          error: {
            code: "store_unavailable",
            message: "the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later",
          },
        },
      });
      const sent = await answer(await postLogs(app.base, jsonLogRequest("full-then-unread", [{ body: "small" }])));
      expect(sent).toMatchObject({ status: 503, retryAfter: "5" });
      expect(sent.body.message).toBe(
        "cannot store the log record(s) now: the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later",
      );
    } finally {
      pragma("max_page_count = 1073741823");
      faults.readsFailing = null;
    }
    // The file reads again: served and stored as before.
    expect((await fetch(`${app.base}/api/logs?limit=5`)).status).toBe(200);
    expect((await postLogs(app.base, jsonLogRequest("full-then-unread", [{ body: "small" }]))).status).toBe(200);
    const logs = await readJson(fetch(`${app.base}/api/logs?service=full-then-unread`));
    expect(logs.logs.map((log: { body: string }) => log.body)).toEqual(["small"]);
  });

  it("tells an SDK's POST poll whose read of the breakpoints failed that the read failed", async () => {
    const poll = () =>
      fetch(`${app.base}/sdk/snapshots/active/read-fails-api`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ events: [] }),
      });
    faults.readsFailing = /FROM cm_breakpoints/;
    try {
      expect(await answer(await poll())).toEqual({
        status: 503,
        retryAfter: "5",
        body: {
          error: {
            code: "store_unavailable",
            message: "the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later",
          },
        },
      });
    } finally {
      faults.readsFailing = null;
    }
    expect((await poll()).status).toBe(200);
  });

  it("tells an export whose read of its trace's stored span ids failed that the read failed", async () => {
    // A file of its own, opened again: the trace's span ids are then read from the file by its next export.
    const path = join(dir.path, "reopened.db");
    const traceId = newTraceId();
    const first = await startTestApp({ db: path });
    try {
      expect((await postJson(first.base, jsonTraceRequest("read-fails", [{ traceId, name: "first" }]))).status).toBe(
        200,
      );
    } finally {
      await first.close();
    }
    const reopened = await startTestApp({ db: path });
    const more = () => postJson(reopened.base, jsonTraceRequest("read-fails", [{ traceId, name: "more" }]));
    try {
      faults.readsFailing = /FROM spans WHERE id >=/;
      let refused: Awaited<ReturnType<typeof answer>>;
      try {
        refused = await answer(await more());
      } finally {
        faults.readsFailing = null;
      }
      expect(refused).toMatchObject({ status: 503, retryAfter: "5" });
      expect(refused.body.message).toBe(
        "cannot store the span(s) now: the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later",
      );
      expect((await more()).status).toBe(200);
      expect((await readJson(fetch(`${reopened.base}/api/traces/${traceId}`))).spans).toHaveLength(2);
    } finally {
      await reopened.close();
    }
  });
});
