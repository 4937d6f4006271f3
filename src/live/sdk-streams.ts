/** One SDK's open Server-Sent Events stream, as the registry sees it (the SSE route implements this). */
export interface SdkStreamClient {
  /** Writes one event; returns the bytes still queued for this client (written and not yet flushed). */
  send(event: string, data: string): number;
  /** Ends the stream; the SDK falls back to polling and reconnects when it next sees `sse_endpoint`. */
  close(): void;
}

export interface SdkStreamsOptions {
  /** How often every stream gets a `heartbeat` event (keeps proxies and dead-peer detection honest). */
  heartbeatMs?: number;
  /** A client with more than this many bytes queued is disconnected. */
  maxQueuedBytes?: number;
  /** Most streams at once; past it a new one is refused (the SDK keeps polling). */
  maxStreams?: number;
  /** Called after a stream opens or closes, e.g. to republish the connected-SDK counts. */
  onChange?(): void;
}

export interface SdkStreams {
  /** Registers a stream for a service; null when the registry is full or closed. The function removes it. */
  add(service: string, client: SdkStreamClient): (() => void) | null;
  /** Sends an event to every stream of `service`, or of every service when null. `data` is JSON text. */
  broadcast(service: string | null, event: string, data: string): void;
  /** Open streams per service. */
  counts(): Record<string, number>;
  /** Ends every stream and stops the heartbeat. */
  close(): void;
}

/** The SSE fan-out to connected SDKs; bounded in streams and in bytes queued per stream. */
export function createSdkStreams(options: SdkStreamsOptions = {}): SdkStreams {
  const maxQueued = options.maxQueuedBytes ?? 1 << 20;
  const maxStreams = options.maxStreams ?? 1000;
  const streams = new Map<SdkStreamClient, string>();
  let closed = false;
  const heartbeat = setInterval(() => {
    const data = JSON.stringify({ time: new Date().toISOString() });
    for (const client of [...streams.keys()]) deliver(client, "heartbeat", data);
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  function remove(client: SdkStreamClient): void {
    if (streams.delete(client)) options.onChange?.();
  }

  function deliver(client: SdkStreamClient, event: string, data: string): void {
    if (client.send(event, data) > maxQueued) {
      remove(client);
      client.close();
    }
  }

  return {
    add(service, client) {
      if (closed || streams.size >= maxStreams) return null;
      streams.set(client, service);
      options.onChange?.();
      return () => remove(client);
    },
    broadcast(service, event, data) {
      for (const [client, of] of [...streams]) {
        if (service === null || of === service) deliver(client, event, data);
      }
    },
    counts() {
      const counts: Record<string, number> = {};
      for (const service of streams.values()) counts[service] = (counts[service] ?? 0) + 1;
      return counts;
    },
    close() {
      closed = true;
      clearInterval(heartbeat);
      const open = [...streams.keys()];
      streams.clear();
      for (const client of open) client.close();
    },
  };
}
