/**
 * The demo's checkout-api speaks the TraceKit SDKs' code-monitoring protocol, as an app calling
 * `captureSnapshot("checkout", { order, cart })` in its order handler would: it registers its
 * breakpoint on start (so the Snapshots page has one to show), asks which breakpoints are enabled
 * every few seconds, and while "checkout" is enabled sends one capture per second at most, beside the
 * trace of the order it was taken in.
 */

export interface DemoCheckoutCapture {
  traceId: string;
  spanId: string;
  /** Epoch milliseconds at which the handler reached the capture. */
  at: number;
  order: { id: number; cartId: number; customerId: number; items: number; total: number };
}

export interface DemoCodeMonitoring {
  /** Registers the breakpoint and learns whether it is enabled; failures are reported, never thrown. */
  start(): Promise<void>;
  /** Called by the checkout scenario; sends a capture only while the breakpoint is enabled. */
  checkout(capture: DemoCheckoutCapture): void;
  /** Stops polling and waits for captures in flight. */
  close(): Promise<void>;
}

export interface DemoCodeMonitoringOptions {
  url: string;
  fetch?: typeof fetch;
  pollMs?: number;
  onError?(error: Error): void;
}

export const DEMO_BREAKPOINT = {
  service_name: "checkout-api",
  file_path: "src/routes/orders.ts",
  line_number: 42,
  function_name: "createOrder",
  label: "checkout",
} as const;

const POLL_MS = 5_000;
const MIN_CAPTURE_GAP_MS = 1_000;
const REQUEST_TIMEOUT_MS = 5_000;

export function createDemoCodeMonitoring(options: DemoCodeMonitoringOptions): DemoCodeMonitoring {
  const doFetch = options.fetch ?? fetch;
  const inFlight = new Set<Promise<void>>();
  let breakpointId: string | undefined;
  let enabled = false;
  let lastCaptureAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const track = (work: Promise<void>): void => {
    const done = work.catch((error: unknown) => {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const send = async (path: string, body?: unknown): Promise<unknown> => {
    const response = await doFetch(`${options.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json();
  };

  const poll = async (): Promise<void> => {
    const body = (await send(`/sdk/snapshots/active/${DEMO_BREAKPOINT.service_name}`)) as {
      breakpoints?: { id?: unknown; enabled?: unknown }[];
      kill_switch?: unknown;
    };
    const own = body.breakpoints?.find((b) => b.id === breakpointId);
    enabled = body.kill_switch !== true && own?.enabled === true;
  };

  return {
    async start() {
      const work = (async () => {
        const registered = (await send("/sdk/snapshots/auto-register", DEMO_BREAKPOINT)) as { id?: unknown };
        if (typeof registered.id !== "string") throw new Error("auto-register answered without an id");
        breakpointId = registered.id;
        await poll();
      })();
      track(work);
      await work.catch(() => undefined);
      if (closed || breakpointId === undefined) return;
      timer = setInterval(() => track(poll()), options.pollMs ?? POLL_MS);
      timer.unref?.();
    },
    checkout(capture) {
      if (closed || !enabled || breakpointId === undefined) return;
      if (capture.at - lastCaptureAt < MIN_CAPTURE_GAP_MS) return;
      lastCaptureAt = capture.at;
      const { order } = capture;
      track(
        send("/sdk/snapshots/capture", {
          breakpoint_id: breakpointId,
          ...DEMO_BREAKPOINT,
          variables: {
            order: { id: order.id, total: order.total, currency: "EUR", status: "pending" },
            cart: { id: order.cartId, items: order.items },
            customer: { id: order.customerId, email: "[REDACTED:email]" },
          },
          security_flags: [{ type: "email", severity: "medium", variable: "customer.email" }],
          stack_trace: [
            "at createOrder (src/routes/orders.ts:42:5)",
            "at async OrdersController.post (src/routes/orders.ts:18:12)",
            "at async dispatch (node_modules/express/lib/router/layer.js:95:5)",
          ].join("\n"),
          trace_id: capture.traceId,
          span_id: capture.spanId,
          request_context: { method: "POST", path: "/api/orders", headers: { "content-type": "application/json" } },
          captured_at: new Date(capture.at).toISOString(),
        }).then(() => undefined),
      );
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
