import WebSocket from "ws";

/** A WebSocket to an app's /api/live that collects every message it receives, parsed. */
export function connectLive(
  port: number,
  options: WebSocket.ClientOptions = {},
): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, options);
    const messages: any[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    ws.once("open", () => resolve({ ws, messages }));
    ws.once("error", reject);
  });
}

/** Polls `check` until it returns a value (not undefined). */
export async function waitFor<T>(check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
