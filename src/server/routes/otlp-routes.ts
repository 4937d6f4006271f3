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
    // format; a browser's preflight (OPTIONS with an Origin) is answered before the routes, on every
    // path (server/otlp-cors.ts). Not a refusal of telemetry: nothing is counted or printed.
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
