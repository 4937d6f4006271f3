import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, refusedLocally } from "../../web/src/api/client";
import { queryErrorText, refusedQuery } from "../../web/src/lib/query-error";
import { startTestApp, type TestApp } from "../helpers/app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

/** What the server answers `path` with `q`: its bad_query error, or null when it took the query. */
async function serverRefusal(path: string, q: string): Promise<{ message: string; position: number } | null> {
  const response = await fetch(`${app.base}${path}?${new URLSearchParams({ q })}`);
  if (response.ok) return null;
  const body = (await response.json()) as { error: { code: string; message: string; position: number } };
  expect(body.error.code).toBe("bad_query");
  return { message: body.error.message, position: body.error.position };
}

async function localRefusal(q: string, subject: "spans" | "logs") {
  const refused = refusedLocally(q, subject);
  if (refused === null) return null;
  const error = await refused.catch((reason: unknown) => reason);
  expect(error).toBeInstanceOf(ApiError);
  const { status, code, message, position } = error as ApiError;
  expect({ status, code }).toEqual({ status: 400, code: "bad_query" });
  return { message, position };
}

const QUERIES = [
  "duration>soon",
  "(status=error",
  '"card',
  "a |",
  "service=",
  "status=error",
  "kind=server",
  "severity>=warn",
  "level~x",
  "duration>250ms http.route=/x",
  'operation="GET /items/:id"',
  "operation>5",
  "peer=checkout",
  "peer<2",
  "checkout",
  "-",
];

describe("a search query refused in the page", () => {
  it("is refused exactly when the server refuses it, with its message and position, for spans and for logs", async () => {
    for (const q of QUERIES) {
      expect(await localRefusal(q, "spans"), q).toEqual(await serverRefusal("/api/traces", q));
      expect(await localRefusal(q, "logs"), q).toEqual(await serverRefusal("/api/logs", q));
    }
  });

  it("asks nothing of a query that is not there", () => {
    expect(refusedLocally(undefined, "spans")).toBeNull();
    expect(refusedLocally("", "logs")).toBeNull();
  });
});

describe("where a refused query goes wrong, as the page says it", () => {
  it("counts characters as the server does, an emoji one, and keeps the position in UTF-16 units for the cursor", async () => {
    const q = "🛒🛒 status=";
    const server = await serverRefusal("/api/traces", q);
    if (server === null) throw new Error("the server took the query");
    const refused = refusedQuery(new ApiError(400, "bad_query", server.message, server.position), q);
    // The cursor is placed by UTF-16 units: the position stays as the server gave it.
    expect(refused.position).toBe(q.length);
    expect(queryErrorText(refused)).toBe(`At 11: ${server.message}`);
    expect(queryErrorText({ message: "m", position: 2, query: "ab c" })).toBe("At 3: m");
  });

  it("is the message alone without a position", () => {
    expect(queryErrorText({ message: "m" })).toBe("m");
  });
});
