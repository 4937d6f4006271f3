import type { Context } from "hono";
import { Hono } from "hono";
import { readBody } from "../body.js";
import { corsHeaders, exportSignal, type OtlpHttpAnswer, type OtlpRouteDeps, otlpError, otlpSignals } from "./otlp.js";

/**
 * The OTLP receiver as Hono routes, for what the Node listener (server/node-listener.ts) passes on,
 * for the second OTLP/HTTP port's app and for callers of the Hono app in process. Apart from
 * otlp.ts, which the listener imports, so that a start loads Hono only with the rest of the routes.
 */
export function otlpRoutes(deps: OtlpRouteDeps): Hono {
  const app = new Hono();

  // Preflight for browser OTLP exporters on dev origins (any localhost page).
  app.options("/v1/*", (c) => {
    const origin = c.req.header("origin");
    if (origin === undefined || !deps.hostPolicy.isDevOrigin(origin)) {
      return c.body(null, 403);
    }
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": c.req.header("access-control-request-headers") ?? "content-type",
      "Access-Control-Max-Age": "86400",
      Vary: "Origin",
    });
  });

  // Node's listener (server/node-listener.ts) answers `POST /v1/*` itself; what reaches these routes
  // is what it passes on: a request target in absolute form (through a proxy), and callers of the
  // Hono app in process. Both run the one exportSignal.
  for (const signal of otlpSignals(deps)) {
    app.post(signal.path, async (c) => {
      const answer = await exportSignal(
        signal,
        {
          header: (name) => c.req.header(name),
          body: (limit) => readBody(c.req.raw, limit),
          // Set where these routes serve a run's endpoint too (server.ts, RUN_ROUTE).
          runId: c.req.param("runId"),
        },
        deps,
      );
      // The answer is only built here; whoever reads the store after this request sees its spans.
      answer.afterAnswer?.();
      return send(c, answer);
    });
    // Any other method (a browser opened on the endpoint) is told the one there is, in OTLP's error
    // format; OPTIONS is answered above. Not a refusal of telemetry: nothing is counted or printed.
    app.all(signal.path, (c) => {
      const headers = { ...corsHeaders(c.req.header("origin"), deps.hostPolicy), Allow: "POST" };
      const message = `${c.req.method} is not allowed on ${signal.path}: OTLP/HTTP exports are sent with POST`;
      return send(c, otlpError(null, 405, message, headers));
    });
  }

  return app;
}

function send(c: Context, answer: OtlpHttpAnswer): Response {
  return c.body(
    typeof answer.body === "string" ? answer.body : new Uint8Array(answer.body),
    answer.status as 200,
    answer.headers,
  );
}
