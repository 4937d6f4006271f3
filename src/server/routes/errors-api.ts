/** GET /api/errors: stored errors grouped by fingerprint over a window, from the store's running groups. */
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import type { ErrorGroupsResponse } from "../../protocol.js";
import type { ErrorGroupsAnswer } from "../../store/error-groups.js";
import type { Store } from "../../store/store.js";
import { parseTimeWindow } from "../time-window.js";

export interface ErrorsApiDeps {
  store: Store;
}

const DEFAULT_GROUPS = 100;
const MAX_GROUPS = 1_000;
const DEFAULT_BUCKETS = 30;
const MAX_BUCKETS = 500;

function wholeNumber(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : 0;
  if (value < 1 || value > max) {
    throw new AppError(400, "invalid_query", `${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

export function errorGroupsToJson(answer: ErrorGroupsAnswer): ErrorGroupsResponse {
  return {
    groups: answer.groups.map((group) => ({
      ...group,
      firstSeenUnixNano: group.firstSeenUnixNano.toString(),
      lastSeenUnixNano: group.lastSeenUnixNano.toString(),
      latest: group.latest.map((l) => ({ ...l, timeUnixNano: l.timeUnixNano.toString() })),
      sample: { ...group.sample, timeUnixNano: group.sample.timeUnixNano.toString() },
    })),
    totalGroups: answer.totalGroups,
    totalErrors: answer.totalErrors,
    bucketStartUnixNano: answer.bucketStartUnixNano.toString(),
    bucketNanos: answer.bucketNanos.toString(),
    buckets: answer.buckets,
  };
}

export function errorsApiRoutes(deps: ErrorsApiDeps): Hono {
  const app = new Hono();
  app.get("/api/errors", (c) => {
    const params = new URL(c.req.url).searchParams;
    const sort = params.get("sort") ?? "lastSeen";
    if (sort !== "lastSeen" && sort !== "count") {
      throw new AppError(400, "invalid_query", `sort must be lastSeen or count, not "${sort.slice(0, 40)}"`);
    }
    const answer = deps.store.errorGroups({
      ...parseTimeWindow(params),
      ...(params.get("service") ? { service: params.get("service") as string } : {}),
      sort,
      limit: wholeNumber(params, "limit", DEFAULT_GROUPS, MAX_GROUPS),
      buckets: wholeNumber(params, "buckets", DEFAULT_BUCKETS, MAX_BUCKETS),
    });
    return c.json(errorGroupsToJson(answer));
  });
  return app;
}
