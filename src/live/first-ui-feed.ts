import type { TraceSummaryJson } from "../protocol.js";
import type { LiveClient } from "./hub.js";

/** The path of the first TraceKit local UI's WebSocket, which scripts written against it connect to. */
export const FIRST_UI_SOCKET_PATH = "/ws";

/** A trace in a `new_trace` message: the summary `GET /api/traces` lists, with the first UI's `status` and `duration`. */
export type FirstUiTrace = TraceSummaryJson & { status: "ok" | "error"; duration: number };

/** What the first local UI's WebSocket sends, in its names. */
export type FirstUiMessage =
  | { type: "connected"; message: string }
  | { type: "new_trace"; trace: FirstUiTrace }
  | { type: "traces_cleared" };

/**
 * The live feed as the first local UI's `/ws` sent it: `connected` at once, `new_trace` for each trace
 * that changed (a trace that grows is sent again: that UI sent one per span), `traces_cleared` on Clear.
 * The page sent on connect or on a resync, and every other message, are not its kind, so they are left
 * out; they are told from their `type`, the first key of every hub message, without parsing them.
 */
export function firstUiClient(client: LiveClient): LiveClient {
  const send = (message: FirstUiMessage) => client.send(JSON.stringify(message));
  send({ type: "connected", message: "Connected to tracekit-local" });
  return {
    send(data) {
      if (data.startsWith('{"type":"cleared"')) {
        send({ type: "traces_cleared" });
        return;
      }
      if (!data.startsWith('{"type":"traces"')) return;
      const message = JSON.parse(data) as { snapshot?: boolean; traces: TraceSummaryJson[] };
      if (message.snapshot === true) return;
      for (const trace of message.traces) {
        send({
          type: "new_trace",
          trace: { ...trace, status: trace.errorCount > 0 ? "error" : "ok", duration: trace.durationMs },
        });
      }
    },
    bufferedAmount: () => client.bufferedAmount(),
    terminate: () => client.terminate(),
  };
}
