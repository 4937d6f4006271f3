import type { PriceList } from "../domain/llm-prices.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import type { LiveMessage } from "../protocol.js";
import { traceSummaryToJson } from "../protocol-json.js";

/** The item type that tells which traces retention evicted (sent before a tick's summaries). */
const EVICTED = "evicted";

/** One connected live client, as the hub sees it (the WebSocket adapter implements this). */
export interface LiveClient {
  send(data: string): void;
  /** Bytes queued for this client and not yet written to the network. */
  bufferedAmount(): number;
  /** Drops the connection; the browser reconnects and gets a fresh snapshot. */
  terminate(): void;
}

export interface LiveHubOptions {
  /** Summaries of the given traces, in order (the store's `getSummaries`). */
  getSummaries(traceIds: readonly string[]): TraceSummary[];
  /** The newest page of traces, sent to a client on connect. */
  getLatest(): TraceSummary[];
  /** The table GenAI calls in summaries are priced at (`--prices`); the bundled one by default. */
  prices?: PriceList;
  /** How long changes are coalesced before one message goes out. */
  tickMs?: number;
  /** Above this many queued bytes a client is skipped and resynced later. */
  softLimitBytes?: number;
  /** Above this many queued bytes a client is disconnected. */
  hardLimitBytes?: number;
  /** Most summaries in one message; a larger burst goes out as several messages. */
  maxTracesPerMessage?: number;
  /** Most items queued per `publishItems` type between ticks; older ones are dropped first (and counted). */
  maxQueuedItems?: number;
}

export interface LiveHub {
  /** Called by ingest with the traces an insert changed. */
  tracesChanged(traceIds: readonly string[]): void;
  /** Called with the traces retention removed: told to clients as `evicted` items (see `publishItems`). */
  tracesEvicted(traceIds: readonly string[]): void;
  cleared(): void;
  /**
   * Replaces the retained message of a type (e.g. the whole breakpoint list): `build` runs once per
   * tick however often it was published, and its message goes to every client, to each client on
   * connect, and again to a client resynced after it was skipped.
   */
  publishState(type: LiveMessage["type"], build: () => LiveMessage): void;
  /**
   * Queues items of a list message (e.g. new snapshots), coalesced per tick: `build` makes one
   * message of the items queued since the last tick, told how many older ones the bound left out
   * (`omitted`), so a client can tell its list has a gap. A skipped client does not get them replayed:
   * its resync counts them in `omitted` (of that tick's message, or a message of no items), so it can
   * read them (a Logs page reloads, `tail logs` reads GET /api/logs).
   */
  publishItems<T>(type: string, items: readonly T[], build: (items: T[], omitted: number) => LiveMessage): void;
  addClient(client: LiveClient): () => void;
  clientCount(): number;
  close(): void;
}

interface ClientState {
  client: LiveClient;
  /** Set when an update was skipped; the client gets a full snapshot once it drains. */
  stale: boolean;
  /** Items of list messages it was not sent while skipped, per type: told as `omitted` at its resync. */
  missedItems: Map<string, number>;
  /** `earlyBuilds` when it connected: it was sent every state built early up to then. */
  joinedAtBuild: number;
}

/** How soon a tick whose store read failed is tried again (each try reads the store's file again). */
const STORE_RETRY_MS = 1000;

/** What `storeRead` returns for a read that threw. */
const FAILED = Symbol("failed");

/**
 * A read of a store made on a timer or a socket's event, where a throw would end the process: a
 * store that cannot read its `--db` file throws (and says why to the requests that read it), so the
 * hub leaves what it was building for a later tick instead.
 */
function storeRead<T>(read: () => T): T | typeof FAILED {
  try {
    return read();
  } catch {
    return FAILED;
  }
}

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const toJson = (summary: TraceSummary) => traceSummaryToJson(summary, options.prices);
  const tickMs = options.tickMs ?? 20;
  const softLimit = options.softLimitBytes ?? 1 << 20;
  const hardLimit = options.hardLimitBytes ?? 16 << 20;
  const maxPerMessage = options.maxTracesPerMessage ?? 500;
  const maxQueuedItems = options.maxQueuedItems ?? 1000;
  const resyncCheckMs = Math.max(tickMs, 100);
  const clients = new Set<ClientState>();
  let pending = new Set<string>();
  /** The latest serialized message per state type, and the builders of those changed since the last tick. */
  const states = new Map<string, string>();
  let changedStates = new Map<string, () => LiveMessage>();
  /**
   * States built before their tick, for a client that connected meanwhile (it needs them then), and
   * still owed at the tick to the clients connected before they were built (`build` counts them).
   */
  let earlyStates = new Map<string, { message: string; build: number }>();
  let earlyBuilds = 0;
  let pendingItems = new Map<
    string,
    { items: unknown[]; omitted: number; build: (items: unknown[], omitted: number) => LiveMessage }
  >();
  /** Each list type's message builder, kept to tell a resynced client what it missed of a quiet type. */
  const itemBuilders = new Map<string, (items: unknown[], omitted: number) => LiveMessage>();
  let timer: NodeJS.Timeout | null = null;
  let resyncTimer: NodeJS.Timeout | null = null;
  let closed = false;

  function snapshotMessage(): string | null {
    const latest = options.getLatest();
    if (latest.length === 0) return null;
    const message: LiveMessage = { type: "traces", snapshot: true, traces: latest.map(toJson) };
    return JSON.stringify(message);
  }

  /**
   * The retained message of each state in `builders`, built now; a build that throws (its store could
   * not read its file) stays changed, to be built at the next tick that has something to send.
   */
  function buildStates(builders: Map<string, () => LiveMessage>): Map<string, string> {
    const built = new Map<string, string>();
    for (const [type, build] of builders) {
      const message = storeRead(() => JSON.stringify(build()));
      if (message === FAILED) {
        changedStates.set(type, build);
        retryLater();
        continue;
      }
      states.set(type, message);
      built.set(type, message);
    }
    return built;
  }

  /** Checks a client's queue before a send: false when it is skipped (marked stale) or dropped. */
  function canSend(state: ClientState): boolean {
    const buffered = state.client.bufferedAmount();
    if (buffered > hardLimit) {
      clients.delete(state);
      state.client.terminate();
      return false;
    }
    if (buffered > softLimit) {
      state.stale = true;
      return false;
    }
    return true;
  }

  function retryLater(): void {
    if (!closed) timer ??= setTimeout(flush, STORE_RETRY_MS);
  }

  function flush(): void {
    if (timer !== null) clearTimeout(timer);
    if (resyncTimer !== null) clearTimeout(resyncTimer);
    timer = null;
    resyncTimer = null;
    if (closed) return;
    const ids = [...pending];
    pending = new Set();
    const messages: string[] = [];
    const changed = changedStates;
    const items = pendingItems;
    const early = earlyStates;
    changedStates = new Map();
    earlyStates = new Map();
    const built = buildStates(changed);
    // A state built again this tick replaces the one built early for a connect.
    for (const type of built.keys()) early.delete(type);
    pendingItems = new Map();
    // The tick's evictions go before its summaries, which are read now: a trace evicted and stored
    // again within the tick (an import bringing it back) is dropped, then listed again.
    const evicted = items.get(EVICTED);
    if (evicted !== undefined && clients.size > 0) {
      messages.push(JSON.stringify(evicted.build(evicted.items, evicted.omitted)));
    }
    if (ids.length > 0 && clients.size > 0) {
      const summaries = storeRead(() => options.getSummaries(ids));
      if (summaries === FAILED) {
        // The store could not read its file: these traces go out at a later tick.
        for (const id of ids) pending.add(id);
        retryLater();
      } else {
        for (let i = 0; i < summaries.length; i += maxPerMessage) {
          const message: LiveMessage = {
            type: "traces",
            traces: summaries.slice(i, i + maxPerMessage).map(toJson),
          };
          messages.push(JSON.stringify(message));
        }
      }
    }
    if (clients.size > 0) {
      messages.push(...built.values());
      for (const [type, queued] of items) {
        if (type !== EVICTED) messages.push(JSON.stringify(queued.build(queued.items, queued.omitted)));
      }
    }
    const earlyBuilt = [...early.values()];
    let snapshot: string | null | typeof FAILED | undefined;
    let waiting = false;
    for (const state of clients) {
      // The states built early for a connect go to the clients connected before they were built.
      const owed = earlyBuilt.filter((entry) => entry.build > state.joinedAtBuild).map((entry) => entry.message);
      const toSend = owed.length > 0 ? [...owed, ...messages] : messages;
      // A client that missed nothing is not made stale by a resync check.
      if (toSend.length === 0 && !state.stale) continue;
      if (!canSend(state)) {
        if (state.stale) {
          waiting = true;
          for (const [type, queued] of items) {
            state.missedItems.set(type, (state.missedItems.get(type) ?? 0) + queued.items.length + queued.omitted);
          }
        }
        continue;
      }
      if (state.stale) {
        // It missed updates while it was slow: one snapshot of the newest page replaces them.
        snapshot ??= storeRead(snapshotMessage);
        if (snapshot === FAILED) {
          // Left stale, counting what it misses, when the store could not read its file: resynced at a later tick.
          for (const [type, queued] of items) {
            state.missedItems.set(type, (state.missedItems.get(type) ?? 0) + queued.items.length + queued.omitted);
          }
          retryLater();
          continue;
        }
        state.stale = false;
        if (snapshot !== null) state.client.send(snapshot);
        for (const retained of states.values()) state.client.send(retained);
        // List items are not in a snapshot: this tick's are sent, and those it missed counted before them.
        const missed = state.missedItems;
        state.missedItems = new Map();
        for (const [type, queued] of items) {
          state.client.send(JSON.stringify(queued.build(queued.items, queued.omitted + (missed.get(type) ?? 0))));
          missed.delete(type);
        }
        for (const [type, count] of missed) {
          const message = count > 0 ? itemBuilders.get(type)?.([], count) : undefined;
          // Only a type whose messages count their gaps (`omitted`, the logs) has anything to say with no items.
          if (message !== undefined && "omitted" in message) state.client.send(JSON.stringify(message));
        }
        continue;
      }
      for (const data of toSend) state.client.send(data);
    }
    // A skipped client is resynced as soon as it drains, even if nothing new arrives meanwhile.
    if (waiting) resyncTimer = setTimeout(flush, resyncCheckMs);
  }

  const hub: LiveHub = {
    tracesChanged(traceIds) {
      if (closed || traceIds.length === 0) return;
      for (const id of traceIds) pending.add(id);
      timer ??= setTimeout(flush, tickMs);
    },
    tracesEvicted(traceIds) {
      if (closed || traceIds.length === 0) return;
      // Gone: a summary read at the tick would find nothing; the `evicted` items go before the tick's summaries.
      for (const id of traceIds) pending.delete(id);
      hub.publishItems(EVICTED, traceIds, evictedMessage);
    },
    cleared() {
      pending = new Set();
      const data = JSON.stringify({ type: "cleared" } satisfies LiveMessage);
      for (const state of clients) {
        if (canSend(state)) {
          state.stale = false;
          // What it missed is gone from the store too.
          state.missedItems.clear();
          state.client.send(data);
        }
      }
    },
    publishState(type, build) {
      if (closed) return;
      changedStates.set(type, build);
      timer ??= setTimeout(flush, tickMs);
    },
    publishItems(type, items, build) {
      if (closed || items.length === 0) return;
      itemBuilders.set(type, build as (items: unknown[], omitted: number) => LiveMessage);
      let queued = pendingItems.get(type);
      if (queued === undefined) {
        queued = { items: [], omitted: 0, build: build as (items: unknown[], omitted: number) => LiveMessage };
        pendingItems.set(type, queued);
      }
      // Only the newest maxQueuedItems can be sent; pushed one by one (a spread of 150,000 evicted ids
      // overflowed the call stack).
      const from = Math.max(0, items.length - maxQueuedItems);
      queued.omitted += from;
      for (let i = from; i < items.length; i++) queued.items.push(items[i]);
      const over = queued.items.length - maxQueuedItems;
      if (over > 0) {
        queued.items.splice(0, over);
        queued.omitted += over;
      }
      timer ??= setTimeout(flush, tickMs);
    },
    addClient(client) {
      const state: ClientState = { client, stale: false, missedItems: new Map(), joinedAtBuild: earlyBuilds };
      clients.add(state);
      const snapshot = storeRead(snapshotMessage);
      if (snapshot === FAILED) {
        // The store could not read its file: the client is resynced (a snapshot, then every state) at a later tick.
        state.stale = true;
        retryLater();
        return () => {
          clients.delete(state);
        };
      }
      if (snapshot !== null) client.send(snapshot);
      // The states changed since the last tick are built now, so it starts from the newest; the clients
      // connected before it still get them at the tick.
      const changed = changedStates;
      changedStates = new Map();
      for (const [type, message] of buildStates(changed)) earlyStates.set(type, { message, build: ++earlyBuilds });
      if (earlyStates.size > 0) timer ??= setTimeout(flush, tickMs);
      state.joinedAtBuild = earlyBuilds;
      for (const retained of states.values()) client.send(retained);
      return () => {
        clients.delete(state);
      };
    },
    clientCount: () => clients.size,
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      if (resyncTimer !== null) clearTimeout(resyncTimer);
      timer = null;
      resyncTimer = null;
      for (const state of clients) state.client.terminate();
      clients.clear();
    },
  };
  return hub;
}

function evictedMessage(traceIds: string[], omitted: number): LiveMessage {
  return omitted > 0 ? { type: "evicted", traceIds, omitted } : { type: "evicted", traceIds };
}
