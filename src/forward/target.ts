import { count } from "../domain/count-text.js";
import { byteSize } from "../domain/size-text.js";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import { readPartialSuccessProtobuf, readStatusMessageProtobuf } from "../otlp/protobuf/status.js";
import type { ForwardTargetJson } from "../protocol.js";
import { gzipInPool } from "./gzip.js";
import { createPoster, type PostAnswer, type Poster } from "./http-post.js";
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs } from "./retry.js";

/** One upstream OTLP/HTTP receiver (`--forward`). */
export interface ForwardTargetConfig {
  /** For health and CLI lines: the URL as given, without credentials. */
  readonly url: string;
  /** Where each signal is POSTed. */
  readonly endpoints: Readonly<Record<OtlpSignalPath, string>>;
  /** Sent with every request (`--forward-header`, and Basic auth from credentials in the URL). */
  readonly headers: Readonly<Record<string, string>>;
  /** `gzip` (the default) or `none` (`--forward-compression`: saves CPU where bandwidth is free). */
  readonly compression: "gzip" | "none";
}

export interface ForwardTuning {
  /**
   * Bytes held per target (a batch counts gzipped once sealed); past it the oldest batches are dropped.
   * While batches are being gzipped they hold their raw bytes: up to half as much again is held then.
   */
  maxQueueBytes: number;
  /** A batch is sent before a request would take it past this many bytes (one larger goes alone)… */
  maxBatchBytes: number;
  /** …or this long after its first request arrived. */
  lingerMs: number;
  /** A request without an answer this long fails (and is retried). */
  timeoutMs: number;
  /** Requests in flight per target. */
  concurrency: number;
  random?: () => number;
}

export const DEFAULT_FORWARD_TUNING: Readonly<ForwardTuning> = Object.freeze({
  maxQueueBytes: 64 * 1024 * 1024,
  maxBatchBytes: 1024 * 1024,
  lingerMs: 1000,
  timeoutMs: 10_000,
  concurrency: 2,
});

export type DropReason = "queueFull" | "rejected" | "shutdown";

/** Notable changes of a target, for the CLI's lines (drops summarised at most every `DROP_REPORT_MS`). */
export type ForwardEvent =
  | { type: "failing"; url: string; message: string }
  /**
   * The upstream refused a batch (not retried: dropped), after taking the last or at the first;
   * `redirect`: it answered with a redirect, which is not followed: where to ("" when it did not say),
   * and the `--forward` URL that names ("" when it names no OTLP signal path).
   */
  | {
      type: "rejecting";
      url: string;
      /** The HTTP status of the refusal (the advice depends on it: a 401 is a key, a 500 the upstream's own failure). */
      status: number;
      message: string;
      redirect?: { location: string; forward: string };
    }
  | { type: "recovered"; url: string; retries: number }
  /** The upstream took a batch but rejected some of its items (OTLP's partial success), at the first since a clean answer. */
  | { type: "partial"; url: string; rejected: number; message: string }
  | { type: "dropped"; url: string; reason: DropReason; batches: number; bytes: number; message: string };

/** What health shows of a target (the JSON shape itself: it is built of plain numbers and strings). */
export type ForwardTargetStatus = ForwardTargetJson;

interface Batch {
  path: OtlpSignalPath;
  parts: Uint8Array[];
  /** Uncompressed size (what `sent` and `dropped` count). */
  bytes: number;
  /** Bytes held in memory: the parts, then the body as sent (what the queue bound counts). */
  held: number;
  /** Being gzipped: `held` is its raw size still, and shrinks when that ends. */
  compressing: boolean;
  /** The body as sent (gzipped when asked), made when the batch is sealed and kept for retries. */
  wire?: Promise<Uint8Array>;
  /** Queued (counted in the queue's bytes), being sent, or gone (sent or dropped). */
  where: "queued" | "sending" | "gone";
}

export const DROP_REPORT_MS = 10_000;

export interface ForwardTarget {
  add(path: OtlpSignalPath, body: Uint8Array): void;
  /** A body of `bytes` that never reached the queue (its encoding was too far behind): counted as dropped. */
  lost(bytes: number, message: string): void;
  status(): ForwardTargetStatus;
  /** Batches not yet taken by the upstream: queued (open ones too) and in flight. */
  unsent(): { batches: number; bytes: number };
  /** Sends what is queued for at most `graceMs`, then drops the rest; resolves to what was dropped. */
  close(graceMs: number): Promise<{ batches: number; bytes: number }>;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts, size);
}

/**
 * What a 2xx answer says it rejected (OTLP's partial success: `rejected_spans`, `rejected_log_records`
 * or `rejected_data_points`, and `error_message`), or null when it took everything.
 */
function partialSuccessOf(answer: PostAnswer): { rejected: number; message: string } | null {
  if (answer.body.byteLength === 0) return null;
  const type = String(answer.headers["content-type"] ?? "");
  let rejected = 0;
  let message = "";
  if (type.includes("protobuf")) {
    const partial = readPartialSuccessProtobuf(answer.body);
    if (partial === null) return null;
    rejected = partial.rejected;
    message = partial.errorMessage;
  } else if (type.includes("json")) {
    try {
      const partial = (JSON.parse(answer.text) as { partialSuccess?: Record<string, unknown> }).partialSuccess;
      if (typeof partial !== "object" || partial === null) return null;
      const reported = partial.rejectedSpans ?? partial.rejectedLogRecords ?? partial.rejectedDataPoints ?? 0;
      rejected = Number(reported) || 0;
      message = typeof partial.errorMessage === "string" ? partial.errorMessage : "";
    } catch {
      return null;
    }
  }
  // A message alone is a warning (OTLP allows it); only rejected items are reported.
  if (rejected <= 0) return null;
  return { rejected, message: firstLineOf(message).slice(0, 200) };
}

/**
 * Where a redirect (3xx) answer points: its Location resolved against the request's URL, without
 * credentials, and the `--forward` URL that names (the signal's path taken off), or null when it is
 * not a redirect. Redirects are not followed: OTLP leaves them to HTTP, which lets a client follow a
 * 307 or 308 with its body but does not ask it to, and following one would send the data (and any
 * --forward-header) to a place the user did not name, on every batch.
 */
function redirectOf(answer: PostAnswer, requestUrl: URL): { location: string; forward: string } | null {
  if (answer.status < 300 || answer.status > 399) return null;
  const raw = headerOf(answer, "location");
  if (raw === undefined || raw.trim() === "") return { location: "", forward: "" };
  let target: URL;
  try {
    target = new URL(raw.trim(), requestUrl);
  } catch {
    return { location: raw.trim().slice(0, 200), forward: "" };
  }
  target.username = "";
  target.password = "";
  const location = target.href.slice(0, 200);
  const signal = /\/v1\/(traces|logs|metrics)\/?$/.exec(target.pathname);
  if (signal === null || target.search !== "") return { location, forward: "" };
  target.pathname = target.pathname.slice(0, signal.index);
  return { location, forward: target.href.replace(/\/$/, "") };
}

/** Why an answer failed, in one line: the upstream's reason when it gave one; for a redirect, where to. */
function answerMessage(answer: PostAnswer, requestUrl: URL): string {
  const redirect = redirectOf(answer, requestUrl);
  if (redirect !== null) {
    if (redirect.location === "") return `HTTP ${answer.status}: a redirect without a Location`;
    const advice = redirect.forward === "" ? "" : `: use --forward ${redirect.forward}`;
    return `HTTP ${answer.status}: redirected to ${redirect.location} (not followed${advice})`;
  }
  const type = String(answer.headers["content-type"] ?? "");
  let reason = "";
  if (type.includes("json")) {
    try {
      // OTLP's Status ({message}), or an {error: {message}} answer such as this server's own.
      const parsed = JSON.parse(answer.text) as { message?: unknown; error?: { message?: unknown } };
      if (typeof parsed.message === "string") reason = parsed.message;
      else if (typeof parsed.error?.message === "string") reason = parsed.error.message;
    } catch {
      // Not JSON after all: the status alone says enough.
    }
  } else if (type.includes("protobuf")) {
    // What OTLP asks of an upstream answering a protobuf export: a google.rpc.Status in protobuf.
    reason = firstLineOf(readStatusMessageProtobuf(answer.body) ?? "");
  } else if (type.startsWith("text/html")) {
    // A proxy's or web server's error page (nginx, a load balancer): its words, not its first tag.
    reason = textOfHtml(answer.text);
  } else if (type.startsWith("text/")) {
    reason = firstLineOf(answer.text);
  }
  return `HTTP ${answer.status}${reason === "" ? "" : `: ${reason.slice(0, 200)}`}`;
}

/**
 * A queue of batches for one upstream: requests are appended to the open batch of their signal
 * (concatenated protobuf messages merge their repeated fields), sealed by size or linger, gzipped
 * and POSTed off the request path. Retryable failures wait (backoff with jitter, or Retry-After) and
 * keep the batch at the head; the queue is bounded in bytes and drops its oldest batches first.
 */
export function createForwardTarget(
  config: ForwardTargetConfig,
  tuning: ForwardTuning,
  /** `dropsChanged`: a drop count or `rejectedItems` changed. */
  events: { event(event: ForwardEvent): void; dropsChanged(): void },
  poster: Poster = createPoster(),
  /** Where batches are gzipped (the forwarding thread; Node's thread pool by default). */
  gzip: (bytes: Uint8Array) => Promise<Uint8Array> = gzipInPool,
): ForwardTarget {
  const open = new Map<OtlpSignalPath, Batch>();
  const ready: Batch[] = [];
  const inFlight = new Set<Batch>();
  let queuedBytes = 0;
  /** Of `queuedBytes`, those of batches still being gzipped (raw now, far fewer once gzipped). */
  let compressingBytes = 0;
  let lingerTimer: NodeJS.Timeout | null = null;
  let backoffTimer: NodeJS.Timeout | null = null;
  /** When the running backoff ends (Date.now() time). */
  let backoffUntil = 0;
  let attempt = 0;
  let failing = false;
  /** The last answer refused a batch (400, 401, 413…) and none was taken since: every batch may be dropped. */
  let rejecting = false;
  let closing = false;
  let stopped = false;
  let sentBatches = 0;
  let sentBytes = 0;
  let retried = 0;
  /** Items the upstream rejected from batches it took (partial success); `partial`: since the last clean answer. */
  let rejectedItems = 0;
  let partial = false;
  const dropped = { queueFull: 0, rejected: 0, shutdown: 0, bytes: 0 };
  let lastError: ForwardTargetStatus["lastError"] = null;
  const endpoints = {
    "/v1/traces": new URL(config.endpoints["/v1/traces"]),
    "/v1/logs": new URL(config.endpoints["/v1/logs"]),
    "/v1/metrics": new URL(config.endpoints["/v1/metrics"]),
  };
  const gzipped = config.compression === "gzip";
  const headers: Record<string, string> = { ...config.headers, "Content-Type": "application/x-protobuf" };
  if (gzipped) headers["Content-Encoding"] = "gzip";

  // Drop lines: the first at once, then what followed summarised at most every DROP_REPORT_MS.
  const unreported = new Map<DropReason, { batches: number; bytes: number; message: string }>();
  let reportTimer: NodeJS.Timeout | null = null;
  const reportDrops = () => {
    for (const [reason, drop] of unreported) events.event({ type: "dropped", url: config.url, reason, ...drop });
    const any = unreported.size > 0;
    unreported.clear();
    reportTimer = any ? setTimeout(reportDrops, DROP_REPORT_MS) : null;
    reportTimer?.unref();
  };
  const drop = (batch: Pick<Batch, "bytes">, reason: DropReason, message: string) => {
    dropped[reason]++;
    dropped.bytes += batch.bytes;
    const entry = unreported.get(reason) ?? { batches: 0, bytes: 0, message };
    entry.batches++;
    entry.bytes += batch.bytes;
    entry.message = message;
    unreported.set(reason, entry);
    if (reportTimer === null && reason !== "shutdown") reportDrops();
    events.dropsChanged();
  };

  /**
   * Compresses a batch as soon as it is sealed, so a backlog is held gzipped (a tenth of the bytes for
   * OTLP protobuf): the queue bound counts what is held.
   */
  const prepare = (batch: Batch): Promise<Uint8Array> => {
    const body = concat(batch.parts, batch.bytes);
    batch.parts = [];
    if (!gzipped) return Promise.resolve(body);
    batch.compressing = true;
    if (batch.where === "queued") compressingBytes += batch.held;
    const compressed = (wire: Uint8Array | null) => {
      if (batch.where === "queued") {
        compressingBytes -= batch.held;
        if (wire !== null) queuedBytes += wire.byteLength - batch.held;
      }
      batch.compressing = false;
      if (wire !== null) batch.held = wire.byteLength;
      // Its size is known now: the bound may have waited for it.
      enforceBound();
    };
    return gzip(body).then(
      (wire) => {
        compressed(wire);
        return wire;
      },
      (error: unknown) => {
        compressed(null);
        throw error;
      },
    );
  };
  const seal = (path: OtlpSignalPath) => {
    const batch = open.get(path);
    if (batch === undefined) return;
    open.delete(path);
    ready.push(batch);
    batch.wire = prepare(batch);
    // A failed compression (never seen) surfaces in send(); this keeps it from being unhandled meanwhile.
    batch.wire.catch(() => {});
  };
  const sealAll = () => {
    if (lingerTimer !== null) clearTimeout(lingerTimer);
    lingerTimer = null;
    for (const path of [...open.keys()]) seal(path);
  };

  /** Takes a queued batch out of the queue's counts (it is being sent, or dropped). */
  const unqueue = (batch: Batch, where: "sending" | "gone") => {
    queuedBytes -= batch.held;
    if (batch.compressing) compressingBytes -= batch.held;
    batch.where = where;
  };

  /**
   * Drops the oldest batches while the queue holds more than its bound. Batches being gzipped count
   * their raw bytes until that ends (several times what they will hold): dropping for those would drop
   * batches that fit once gzipped. So while what will not shrink is within the bound, the drop waits
   * for gzip to end (this runs again then), unless the queue holds half as much again as its bound:
   * memory stays bounded when gzip falls far behind.
   */
  const enforceBound = () => {
    const bound = tuning.maxQueueBytes;
    while (queuedBytes > bound) {
      const settled = queuedBytes - compressingBytes;
      if (compressingBytes > 0 && settled <= bound && queuedBytes <= bound * 1.5) return;
      const oldest = ready.shift() ?? open.values().next().value;
      if (oldest === undefined) return;
      if (open.get(oldest.path) === oldest) open.delete(oldest.path);
      unqueue(oldest, "gone");
      drop(oldest, "queueFull", `the queue passed ${byteSize(bound)}`);
    }
  };

  const pump = () => {
    if (stopped || backoffTimer !== null) return;
    while (inFlight.size < tuning.concurrency && ready.length > 0) {
      const batch = ready.shift() as Batch;
      unqueue(batch, "sending");
      inFlight.add(batch);
      void send(batch);
    }
  };

  const retryLater = (batch: Batch, retryAfterMs: number | null, message: string) => {
    retried++;
    lastError = { message, at: new Date().toISOString() };
    ready.unshift(batch);
    batch.where = "queued";
    queuedBytes += batch.held;
    enforceBound();
    if (!failing) {
      failing = true;
      // Refusing again after this is said again.
      rejecting = false;
      events.event({ type: "failing", url: config.url, message });
    }
    const delay = retryDelayMs(attempt, retryAfterMs, tuning.random);
    if (backoffTimer !== null) {
      // Another batch's failure set the wait already; an upstream that asks for longer is waited for.
      if (retryAfterMs === null || Date.now() + delay <= backoffUntil) return;
      clearTimeout(backoffTimer);
    } else attempt++;
    backoffUntil = Date.now() + delay;
    backoffTimer = setTimeout(() => {
      backoffTimer = null;
      pump();
    }, delay);
    backoffTimer.unref();
  };

  const send = async (batch: Batch) => {
    let answer: PostAnswer | null = null;
    let failure: string | null = null;
    try {
      batch.wire ??= prepare(batch);
      answer = await poster.post(endpoints[batch.path], await batch.wire, headers, tuning.timeoutMs);
    } catch (error) {
      failure = failureMessage(error);
    }
    inFlight.delete(batch);
    batch.where = "gone";
    if (stopped) return;
    if (answer !== null && answer.status >= 200 && answer.status < 300) {
      sentBatches++;
      sentBytes += batch.bytes;
      attempt = 0;
      const rejected = partialSuccessOf(answer);
      if (rejected === null) partial = false;
      else {
        rejectedItems += rejected.rejected;
        events.dropsChanged();
        const message = `HTTP ${answer.status}, partial success: ${count(rejected.rejected)} rejected${rejected.message === "" ? "" : `: ${rejected.message}`}`;
        lastError = { message, at: new Date().toISOString() };
        if (!partial) {
          partial = true;
          events.event({ type: "partial", url: config.url, rejected: rejected.rejected, message: rejected.message });
        }
      }
      if (failing || rejecting) {
        failing = false;
        rejecting = false;
        events.event({ type: "recovered", url: config.url, retries: retried });
      }
    } else if (answer === null || isRetryableStatus(answer.status)) {
      const message = answer === null ? (failure as string) : answerMessage(answer, endpoints[batch.path]);
      retryLater(batch, answer === null ? null : parseRetryAfterMs(headerOf(answer, "retry-after")), message);
    } else {
      const message = answerMessage(answer, endpoints[batch.path]);
      lastError = { message, at: new Date().toISOString() };
      // It answers, so it is no longer failing: the state is its last answer's (a refusal).
      failing = false;
      attempt = 0;
      if (!rejecting) {
        rejecting = true;
        const redirect = redirectOf(answer, endpoints[batch.path]);
        events.event({
          type: "rejecting",
          url: config.url,
          status: answer.status,
          message,
          ...(redirect === null ? {} : { redirect }),
        });
      }
      drop(batch, "rejected", message);
    }
    pump();
    if (closing) settle();
  };

  let settle = () => {};

  return {
    lost(bytes, message) {
      if (!closing) drop({ bytes }, "queueFull", message);
    },
    add(path, body) {
      if (closing || body.byteLength === 0) return;
      let batch = open.get(path);
      // Sent before this body would take it past the limit: an upstream that refuses a large request
      // (413) then refuses only the one too large alone, which goes in a batch of its own.
      if (batch !== undefined && batch.bytes + body.byteLength > tuning.maxBatchBytes) {
        seal(path);
        batch = undefined;
      }
      if (batch === undefined) {
        batch = { path, parts: [], bytes: 0, held: 0, compressing: false, where: "queued" };
        open.set(path, batch);
      }
      batch.parts.push(body);
      batch.bytes += body.byteLength;
      batch.held += body.byteLength;
      queuedBytes += body.byteLength;
      if (batch.bytes >= tuning.maxBatchBytes) seal(path);
      else if (lingerTimer === null) {
        lingerTimer = setTimeout(() => {
          lingerTimer = null;
          sealAll();
          pump();
        }, tuning.lingerMs);
        lingerTimer.unref();
      }
      enforceBound();
      pump();
    },
    unsent() {
      let batches = 0;
      let bytes = 0;
      if (stopped) return { batches, bytes };
      for (const batch of [...open.values(), ...ready, ...inFlight]) {
        batches++;
        bytes += batch.bytes;
      }
      return { batches, bytes };
    },
    status() {
      // Held until the upstream takes them: the batches being sent too (a hung upstream holds them).
      let sendingBytes = 0;
      for (const batch of inFlight) sendingBytes += batch.held;
      const queued = stopped
        ? { bytes: 0, batches: 0 }
        : { bytes: queuedBytes + sendingBytes, batches: ready.length + open.size + inFlight.size };
      return {
        url: config.url,
        state: stopped ? "stopped" : failing ? "retrying" : rejecting ? "rejecting" : "ok",
        queued,
        sent: { batches: sentBatches, bytes: sentBytes },
        retried,
        rejectedItems,
        dropped: { ...dropped },
        lastError,
      };
    },
    close(graceMs) {
      closing = true;
      sealAll();
      // One more try at once: waiting out a long backoff would only use up the grace period.
      if (backoffTimer !== null) clearTimeout(backoffTimer);
      backoffTimer = null;
      return new Promise((resolve) => {
        const finish = () => {
          clearTimeout(deadline);
          stopped = true;
          let batches = 0;
          let bytes = 0;
          for (const batch of [...ready, ...inFlight]) {
            batches++;
            bytes += batch.bytes;
            batch.where = "gone";
            drop(batch, "shutdown", "tracekit-local stopped before it was sent");
          }
          ready.length = 0;
          inFlight.clear();
          queuedBytes = 0;
          compressingBytes = 0;
          unreported.delete("shutdown");
          if (reportTimer !== null) clearTimeout(reportTimer);
          poster.destroy();
          resolve({ batches, bytes });
        };
        const deadline = setTimeout(finish, graceMs);
        settle = () => {
          if (ready.length === 0 && inFlight.size === 0) finish();
        };
        pump();
        settle();
      });
    },
  };
}

/**
 * Why a request got no answer, in one line. An answer that is not HTTP/1.1 at all (Node's parser
 * fails, HPE_*) is most often an OTLP/gRPC port given for the OTLP/HTTP one: it says so.
 */
function failureMessage(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("HPE_")) {
    return "its answer is not HTTP/1.1: an OTLP/gRPC port (4317)? --forward needs the OTLP/HTTP one (4318)";
  }
  // It answered nothing in time, but it was reached: "cannot reach it" would send the user to the network.
  if (code === "FORWARD_NO_ANSWER") return (error as Error).message;
  return `cannot reach it: ${(error as Error).message || String(error)}`;
}

const HTML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/**
 * The words of an HTML error page on one line: its body's text (the title when it has no body text),
 * without tags, scripts and styles, entities read. `<h1>502 Bad Gateway</h1><hr>nginx` reads
 * `502 Bad Gateway nginx`.
 */
function textOfHtml(html: string): string {
  const words = (part: string) =>
    part
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<[^>]*>/g, " ")
      .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
        if (name[0] !== "#") return HTML_ENTITIES[name.toLowerCase()] ?? entity;
        const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      })
      .replace(/\s+/g, " ")
      .trim();
  const body = /<body\b[^>]*>([\s\S]*)/i.exec(html)?.[1];
  const text = words(body ?? html.replace(/<head\b[\s\S]*?<\/head\s*>/i, " "));
  return text !== "" ? text : words(/<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html)?.[1] ?? "");
}

function firstLineOf(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

function headerOf(answer: PostAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
