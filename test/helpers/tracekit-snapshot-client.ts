/**
 * A client that speaks the TraceKit SDKs' code-monitoring protocol the way their snapshot clients do
 * (Node's `src/snapshot-client.ts`, Python's `tracekit/snapshot_client.py`): the same paths and
 * methods, `X-API-Key`, snake_case JSON, and the SSE stream read with fetch and a streaming reader,
 * split into `event:` / `data:` lines and dispatched on a blank line.
 */
import WebSocket from "ws";

export const API_KEY = "local-dev-key";

export interface SdkResponse {
  status: number;
  body: any;
}

async function send(url: string, init: RequestInit): Promise<SdkResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : JSON.parse(text) };
}

export function pollActive(base: string, service: string, events?: unknown[]): Promise<SdkResponse> {
  const url = `${base}/sdk/snapshots/active/${service}`;
  if (events !== undefined && events.length > 0) {
    return send(url, {
      method: "POST",
      headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ events }),
    });
  }
  return send(url, { headers: { "X-API-Key": API_KEY } });
}

export function postSdk(base: string, path: string, body: unknown): Promise<SdkResponse> {
  return send(`${base}${path}`, {
    method: "POST",
    headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const autoRegister = (base: string, body: unknown) => postSdk(base, "/sdk/snapshots/auto-register", body);
export const capture = (base: string, body: unknown) => postSdk(base, "/sdk/snapshots/capture", body);

export interface SseEvent {
  event: string;
  data: string;
  at: number;
}

export interface SseConnection {
  status: number;
  events: SseEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  abort(): void;
}

/** Connects to the advertised `sse_endpoint` as the Node SDK does: `${baseURL}${endpoint}`. */
export async function connectSse(base: string, endpoint: string): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(`${base}${endpoint}`, {
    headers: { "X-API-Key": API_KEY, Accept: "text/event-stream" },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  const reader = response.body?.getReader();
  const ended = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = "";
    let eventType = "";
    let data = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("event:")) eventType = line.slice(6).trim();
          else if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(5).trim();
          else if (line === "") {
            if (eventType && data) events.push({ event: eventType, data, at: performance.now() });
            eventType = "";
            data = "";
          }
        }
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return { status: response.status, events, ended, abort: () => controller.abort() };
}

/** The live WebSocket, collecting every message. */
export async function openLive(base: string): Promise<{ messages: any[]; close(): void }> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/live`);
  const messages: any[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { messages, close: () => ws.terminate() };
}

/** Polls until `find` returns something, or fails after the deadline. */
export async function waitFor<T>(
  what: string,
  find: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Where the Node SDK 1.7 registers every capture: its own capture call (it reads the stack one frame
 * too close to itself), whatever line of the app called it.
 */
export const NODE_17_SDK_CALL = {
  file_path: "/app/node_modules/@tracekit/node-apm/dist/client.js",
  line_number: 488,
  function_name: "TracekitClient.captureSnapshot",
} as const;

/** The `stack_trace` that SDK sends with a capture the app called at `appFrame` (`fn (file:line:col)` or `file:line:col`). */
export function node17Stack(appFrame: string): string {
  const sdk = "/app/node_modules/@tracekit/node-apm/dist";
  return [
    "Error",
    `    at SnapshotClient._doCheckAndCapture (${sdk}/snapshot-client.js:124:23)`,
    `    at SnapshotClient.checkAndCaptureWithContext (${sdk}/snapshot-client.js:113:24)`,
    `    at TracekitClient.captureSnapshot (${sdk}/client.js:488:39)`,
    `    at ${appFrame}`,
    `    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)`,
  ].join("\n");
}
