import type { LiveMessage } from "../../../src/protocol";

export type LiveStatus = "connecting" | "open" | "closed";

export interface LiveConnection {
  close(): void;
}

export interface LiveOptions {
  onMessage(message: LiveMessage): void;
  onStatus(status: LiveStatus): void;
  /** Where to connect; defaults to this page's server. */
  url?: string;
}

const MAX_BACKOFF_MS = 5000;

/**
 * The `/api/live` WebSocket, reconnected with backoff whenever it drops (the server restarting, a
 * laptop waking up). On every (re)connect the server sends a snapshot, so nothing needs replaying.
 */
export function connectLive(options: LiveOptions): LiveConnection {
  const url = options.url ?? `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/live`;
  let socket: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function retryLater(): void {
    options.onStatus("closed");
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
    attempt++;
    retryTimer = setTimeout(open, delay);
  }

  function open(): void {
    retryTimer = null;
    options.onStatus("connecting");
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      // Refused before any connection (a bad URL, a content security policy): as failed as one that
      // closed, and worth trying again (a policy or a proxy may change).
      retryLater();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      options.onStatus("open");
    };
    ws.onmessage = (event) => {
      let message: LiveMessage;
      try {
        message = JSON.parse(String(event.data)) as LiveMessage;
      } catch {
        return;
      }
      options.onMessage(message);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      retryLater();
    };
  }

  open();
  return {
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      socket?.close();
      socket = null;
    },
  };
}
