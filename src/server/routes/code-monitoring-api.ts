/** The Snapshots page's REST API: breakpoints, the kill switch, captured snapshots and SDK events. */
import type { Context } from "hono";
import { Hono } from "hono";
import { serviceNameProblem } from "../../domain/code-monitoring.js";
import { AppError } from "../../domain/errors.js";
import { stringifyJsonExact } from "../../domain/exact-json.js";
import type { BreakpointInput, BreakpointPatch, CodeMonitoring } from "../../ingest/code-monitoring.js";
import type { BreakpointJson, SdkEventsResponse, SnapshotListResponse } from "../../protocol.js";
import { breakpointToJson, sdkEventToJson, snapshotSummaryToJson, snapshotToJson } from "../../protocol-json.js";
import { parseJsonBody } from "../../sdk/json-body.js";
import {
  type CodeMonitoringStore,
  DEFAULT_SNAPSHOT_LIMIT,
  MAX_SNAPSHOT_LIMIT,
  type SnapshotQuery,
} from "../../store/code-monitoring-store.js";
import type { Store } from "../../store/store.js";
import { readBody } from "../body.js";
import { assertOwnOrigin } from "../own-origin.js";
import type { HostPolicy } from "../security.js";
import { traceIdParam } from "./api.js";

export interface CodeMonitoringApiDeps {
  codeMonitoring: CodeMonitoring;
  /** The span store: which captures' traces are stored, for the list's links. */
  store: Pick<Store, "getSummaries">;
  codeMonitoringStore: CodeMonitoringStore;
  hostPolicy: HostPolicy;
  port(): number;
}

const MAX_BODY = 64 * 1024;
const MAX_TEXT = 4096;

type Json = Record<string, unknown>;

function bad(message: string): AppError {
  return new AppError(400, "invalid_breakpoint", message);
}

async function jsonObject(c: Context, deps: CodeMonitoringApiDeps, what: string): Promise<Json> {
  assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), what);
  const value = parseJsonBody(await readBody(c.req.raw, MAX_BODY));
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad("the body must be a JSON object");
  return value as Json;
}

function rejectUnknown(body: Json, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw bad(`unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; known: ${allowed.join(", ")}`);
}

function text(body: Json, key: string, fallback?: string): string {
  const value = body[key] ?? fallback;
  if (typeof value !== "string" || value.length > MAX_TEXT)
    throw bad(`"${key}" must be a string of at most ${MAX_TEXT} characters`);
  return value;
}

function count(body: Json, key: string, fallback?: number): number {
  const value = body[key] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw bad(`"${key}" must be a whole number >= 0`);
  return value;
}

function flag(body: Json, key: string, fallback?: boolean): boolean {
  const value = body[key] ?? fallback;
  if (typeof value !== "boolean") throw bad(`"${key}" must be true or false`);
  return value;
}

/** ISO 8601 or null (no expiry). */
function expiry(body: Json): number | null {
  const value = body.expireAt;
  if (value === null || value === undefined) return null;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw bad(`"expireAt" must be an ISO 8601 time or null`);
  return ms;
}

const CREATE_FIELDS = [
  "service",
  "filePath",
  "lineNumber",
  "functionName",
  "label",
  "condition",
  "maxCaptures",
  "expireAt",
  "enabled",
] as const;
const PATCH_FIELDS = ["enabled", "maxCaptures", "expireAt", "condition", "label"] as const;

function breakpointInput(body: Json): BreakpointInput {
  rejectUnknown(body, CREATE_FIELDS);
  // With a label and no file, the breakpoint waits for the SDK's first capture call with that label.
  const byLabel = body.filePath === undefined && typeof body.label === "string" && body.label.trim() !== "";
  if (body.filePath === undefined && !byLabel) {
    throw bad(`give "filePath" and "lineNumber", or a "label" alone to place the breakpoint at its capture call`);
  }
  const input: BreakpointInput = {
    service: text(body, "service"),
    filePath: byLabel ? "" : text(body, "filePath"),
    lineNumber: count(body, "lineNumber", byLabel ? 0 : undefined),
    functionName: text(body, "functionName", ""),
    label: text(body, "label", ""),
    condition: text(body, "condition", ""),
    maxCaptures: count(body, "maxCaptures", 0),
    expireAt: expiry(body),
    enabled: flag(body, "enabled", true),
  };
  const serviceProblem = serviceNameProblem(input.service);
  if (serviceProblem !== null) throw bad(`"service" ${serviceProblem}`);
  if (!byLabel && input.filePath.trim() === "")
    throw bad(
      `"filePath" must not be empty (or leave it out and give a "label" to place the breakpoint at its capture call)`,
    );
  return input;
}

function breakpointPatch(body: Json): BreakpointPatch {
  rejectUnknown(body, PATCH_FIELDS);
  const patch: BreakpointPatch = {};
  if (body.enabled !== undefined) patch.enabled = flag(body, "enabled");
  if (body.maxCaptures !== undefined) patch.maxCaptures = count(body, "maxCaptures");
  if (body.expireAt !== undefined) patch.expireAt = expiry(body);
  if (body.condition !== undefined) patch.condition = text(body, "condition");
  if (body.label !== undefined) patch.label = text(body, "label");
  return patch;
}

function limitParam(raw: string | null, fallback: number, max: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AppError(400, "invalid_query", `limit must be a whole number from 1 to ${max}, not "${raw}"`);
  }
  return n;
}

function snapshotQuery(params: URLSearchParams): SnapshotQuery {
  const query: SnapshotQuery = { limit: limitParam(params.get("limit"), DEFAULT_SNAPSHOT_LIMIT, MAX_SNAPSHOT_LIMIT) };
  for (const key of ["service", "breakpointId", "label", "cursor"] as const) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  const traceId = params.get("traceId");
  if (traceId) query.traceId = traceIdParam(traceId);
  return query;
}

export function codeMonitoringApiRoutes(deps: CodeMonitoringApiDeps): Hono {
  const app = new Hono();
  const { codeMonitoring, codeMonitoringStore: store } = deps;

  app.get("/api/breakpoints", (c) => c.json(codeMonitoring.state()));

  app.post("/api/breakpoints", async (c) => {
    const input = breakpointInput(await jsonObject(c, deps, "creating a breakpoint"));
    const body: BreakpointJson = breakpointToJson(codeMonitoring.createBreakpoint(input));
    return c.json(body, 201);
  });

  app.patch("/api/breakpoints/:id", async (c) => {
    const patch = breakpointPatch(await jsonObject(c, deps, "changing a breakpoint"));
    const body: BreakpointJson = breakpointToJson(codeMonitoring.updateBreakpoint(c.req.param("id"), patch));
    return c.json(body);
  });

  app.delete("/api/breakpoints/:id", (c) => {
    assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), "deleting a breakpoint");
    codeMonitoring.deleteBreakpoint(c.req.param("id"));
    return c.json({ deleted: true });
  });

  app.put("/api/kill-switch", async (c) => {
    const body = await jsonObject(c, deps, "the kill switch");
    rejectUnknown(body, ["enabled"]);
    const enabled = flag(body, "enabled");
    codeMonitoring.setKillSwitch(enabled);
    return c.json({ killSwitch: enabled });
  });

  app.get("/api/snapshots", (c) => {
    const page = store.listSnapshots(snapshotQuery(new URL(c.req.url).searchParams));
    const traceIds = [...new Set(page.snapshots.flatMap((s) => (s.traceId === null ? [] : [s.traceId])))];
    const body: SnapshotListResponse = {
      snapshots: page.snapshots.map(snapshotSummaryToJson),
      storedTraceIds: deps.store.getSummaries(traceIds).map((trace) => trace.traceId),
    };
    if (page.nextCursor !== undefined) body.nextCursor = page.nextCursor;
    return c.json(body);
  });

  app.get("/api/snapshots/:id", (c) => {
    const snapshot = store.getSnapshot(c.req.param("id"));
    if (snapshot === undefined) {
      throw new AppError(404, "snapshot_not_found", `no snapshot ${c.req.param("id").slice(0, 64)} is stored`);
    }
    // Not c.json: variables may hold integers past 2^53 as bigints, written as their exact digits.
    return c.body(stringifyJsonExact(snapshotToJson(snapshot)), 200, { "content-type": "application/json" });
  });

  app.get("/api/sdk-events", (c) => {
    const limit = limitParam(new URL(c.req.url).searchParams.get("limit"), 1000, 1000);
    const body: SdkEventsResponse = { events: store.listSdkEvents(limit).map(sdkEventToJson) };
    return c.json(body);
  });

  return app;
}
