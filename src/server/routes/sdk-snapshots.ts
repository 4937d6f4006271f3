/**
 * The TraceKit SDKs' code-monitoring protocol, as their snapshot clients speak it: poll for
 * breakpoints, register a location, send a capture, and follow changes over Server-Sent Events.
 * `X-API-Key` is accepted whatever its value. Refusals are 4xx (the SDKs count 5xx toward their
 * circuit breaker).
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { serviceNameProblem } from "../../domain/code-monitoring.js";
import { AppError } from "../../domain/errors.js";
import type { CodeMonitoring } from "../../ingest/code-monitoring.js";
import type { SdkStreamClient, SdkStreams } from "../../live/sdk-streams.js";
import { captureOrigin, captureOriginText } from "../../sdk/capture-origin.js";
import { decodeAutoRegister, decodeCapture, decodeSdkEvents } from "../../sdk/code-monitoring-wire.js";
import { parseJsonBody } from "../../sdk/json-body.js";
import { readBody, readBodyHead } from "../body.js";
import { assertNotFromOtherSite, assertOwnOrigin } from "../own-origin.js";
import type { HostPolicy } from "../security.js";

export interface SdkSnapshotRouteDeps {
  codeMonitoring: CodeMonitoring;
  sdkStreams: SdkStreams;
  hostPolicy: HostPolicy;
  port(): number;
}

/** A capture carries variables, a stack and request context; 1 MiB is far above a real one. */
export const MAX_CAPTURE_BYTES = 1 << 20;
const MAX_REGISTER_BYTES = 64 * 1024;
/** How much of a refused capture is read to say whose it was (its service and label come first). */
const CAPTURE_HEAD_BYTES = 16 * 1024;
const MAX_ACTIVE_BYTES = 256 * 1024;

export const SSE_PATH = "/sdk/snapshots/stream";
/**
 * A service name is the rest of the path: the SDKs put it there unencoded, and an npm-scoped name
 * (`@acme/shop`) holds a slash. Any character matches, so that a name no SDK sends (a line break) is
 * refused with its reason by serviceParam rather than a 404.
 */
const SERVICE_PARAM = ":service{[\\s\\S]+}";
const ACTIVE_PATH = `/sdk/snapshots/active/${SERVICE_PARAM}`;

/** The service a path names; a name no SDK sends is refused, so it never reads as a service that checked in. */
function serviceParam(raw: string): string {
  const problem = serviceNameProblem(raw);
  if (problem !== null) throw new AppError(400, "invalid_service", `the service name in the path ${problem}`);
  return raw;
}

/**
 * Whether the SDK that sent a registration keeps the answer as its copy of the breakpoint, so that it
 * knows of the breakpoint as answered without a check-in. The Node SDK does, and sends it with Node's
 * built-in fetch and no User-Agent of its own, so it arrives as fetch's default, exactly `node`. The
 * Python SDK (`python-requests/…`) reads only the id and learns of an edit at its next poll, as may
 * any other client: only an exact `node` counts, and anything else waits for its next poll.
 */
function keepsRegistrationAnswer(userAgent: string | undefined): boolean {
  return userAgent === "node";
}

export function sdkSnapshotRoutes(deps: SdkSnapshotRouteDeps): Hono {
  const app = new Hono();
  const { codeMonitoring } = deps;

  // SDKs are server-side clients and send no Origin; a web page must not register or capture, nor, by
  // an <img> that sends no Origin, check in as a service or hold one of the SDKs' event streams.
  app.use("/sdk/*", async (c, next) => {
    assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), "the SDK protocol");
    assertNotFromOtherSite(c.req.header("sec-fetch-site"), "the SDK protocol");
    await next();
  });

  // A poll that was answered is a check-in: the page tells which services have heard of a change.
  app.use(ACTIVE_PATH, async (c, next) => {
    await next();
    if (c.res.ok) codeMonitoring.sdkCheckedIn(c.req.param("service"));
  });

  function active(service: string) {
    const view = codeMonitoring.sdkView(service);
    return {
      breakpoints: view.breakpoints,
      kill_switch: view.killSwitch,
      sse_endpoint: `${SSE_PATH}/${encodeURIComponent(service)}`,
    };
  }

  app.get(ACTIVE_PATH, (c) => c.json(active(serviceParam(c.req.param("service")))));

  // The Node SDK polls with POST when it has events to report (e.g. its circuit breaker tripped).
  app.post(ACTIVE_PATH, async (c) => {
    const service = serviceParam(c.req.param("service"));
    const events = decodeSdkEvents(parseJsonBody(await readBody(c.req.raw, MAX_ACTIVE_BYTES)));
    if (events.length > 0) codeMonitoring.reportEvents(service, events);
    return c.json(active(service));
  });

  app.post("/sdk/snapshots/auto-register", async (c) => {
    const request = decodeAutoRegister(parseJsonBody(await readBody(c.req.raw, MAX_REGISTER_BYTES)));
    const { breakpoint, created } = codeMonitoring.autoRegister(
      request,
      keepsRegistrationAnswer(c.req.header("user-agent")),
    );
    // Python reads only `id`; Node keeps the whole object as its cached breakpoint (disabled until enabled).
    return c.json(codeMonitoring.sdkBreakpoint(breakpoint), created ? 201 : 200);
  });

  /**
   * A capture's body as JSON. One refused before it is read as a capture (too large, too deep, not
   * JSON) is from an app that sends it each time its code runs and only logs the answer: when its start
   * names a service, the refusal says whose it was (the terminal's line) and is kept as that service's
   * event (the page's SDK events), since no breakpoint hears of it.
   */
  async function readCapture(raw: Request): Promise<unknown> {
    let body: Uint8Array | null = null;
    try {
      body = await readBody(raw, MAX_CAPTURE_BYTES);
      return parseJsonBody(body, { exactIntegers: true });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const head = body === null ? await readBodyHead(raw, CAPTURE_HEAD_BYTES) : body.subarray(0, CAPTURE_HEAD_BYTES);
      const origin = captureOrigin(new TextDecoder().decode(head));
      if (origin === null) throw error;
      const { status, code, message } = error;
      codeMonitoring.captureRefused(origin.service, origin.label, { status, code, message });
      throw new AppError(status, code, `${message} (from ${captureOriginText(origin)})`, error.details);
    }
  }

  app.post("/sdk/snapshots/capture", async (c) => {
    const request = decodeCapture(await readCapture(c.req.raw));
    const snapshot = codeMonitoring.capture(request);
    return c.json({ id: snapshot.id }, 201);
  });

  app.get(`${SSE_PATH}/${SERVICE_PARAM}`, (c) => {
    const service = serviceParam(c.req.param("service"));
    return streamSSE(c, async (stream) => {
      let finish = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      let queued = 0;
      const client: SdkStreamClient = {
        send(event, data) {
          const size = event.length + data.length + 16;
          queued += size;
          void stream.writeSSE({ event, data }).then(() => {
            queued -= size;
          });
          return queued;
        },
        close: () => finish(),
      };
      const remove = deps.sdkStreams.add(service, client);
      if (remove === null) return; // full or shutting down: the stream ends, the SDK keeps polling
      stream.onAbort(() => {
        remove();
        finish();
      });
      const view = codeMonitoring.sdkView(service);
      client.send("init", JSON.stringify({ breakpoints: view.breakpoints, kill_switch: view.killSwitch }));
      await finished;
      remove();
    });
  });

  return app;
}
