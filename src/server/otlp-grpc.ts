import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import {
  logVerbosity,
  Metadata,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  setLogVerbosity,
  status,
} from "@grpc/grpc-js";
import { rpcCodeFor } from "../domain/rpc-code.js";
import { OtlpDecodeError } from "../otlp/errors.js";
import { OTLP_GRPC_SERVICES } from "../otlp/grpc-services.js";
import { OtlpLimitError, runPaced, SLICED_BODY_BYTES } from "../otlp/limits.js";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import { encodeExportResponseProtobuf, encodeStatusProtobuf } from "../otlp/protobuf/status.js";
import { type FreePieces, ownBody, releaseBody } from "./body.js";
import { copyFramesOnArrival } from "./grpc-frames.js";
import { inflateLikeABody } from "./grpc-inflate.js";
import { MAX_HELD_REQUESTS } from "./held-requests.js";
import {
  acceptExport,
  type DecodedExport,
  decodeErrorMessage,
  type ExportOutcome,
  encodingOf,
  HOLD_YOUNG_BYTES,
  type OtlpRouteDeps,
  type OtlpSignal,
  otlpError,
  otlpSignals,
  refused,
  STORE_RETRY_AFTER_SECONDS,
  storeUnavailable,
} from "./routes/otlp.js";

export interface OtlpGrpcOptions {
  /**
   * The OTLP routes' dependencies, or a promise of them while the stores open (a `--db` file is read
   * back): a call that comes meanwhile waits for them, as the HTTP ports hold their requests (at most
   * `maxHeld` calls and bytes of their messages wait; past either bound a call is answered UNAVAILABLE
   * with RetryInfo, naming the bound; one its client cancels is let go), and is answered UNAVAILABLE if
   * the promise rejects (the start failed). Once the stores are open, the held calls are served in
   * order over several turns of the event loop (see RELEASE_TURN_BYTES), and calls that come meanwhile
   * queue behind them.
   */
  otlp: OtlpRouteDeps | Promise<OtlpRouteDeps>;
  /** The largest message taken, before and after inflating: `otlp.maxBodyBytes`, which a promise of `otlp` cannot tell yet. */
  maxBodyBytes: number;
  /** How many calls, and bytes of their messages, wait for a promise of `otlp` (default MAX_HELD_REQUESTS, MAX_HELD_BYTES). */
  maxHeld?: { calls: number; bytes: number };
  /** The listen address, the same as the main server's. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Frees the DATA frames copied into a message, and the pieces of one inflated, so far (see FreePieces). */
  freePieces?: FreePieces;
  /** The port that receives OTLP/HTTP, named to an OTLP/HTTP exporter that sent here. */
  httpPort(): number;
  /**
   * Answers an HTTP/1.1 request itself when it is a probe for the instance (GET /api/health: see
   * otlp-only-health.ts), true when it did: not refused, counted or told.
   */
  answersHealth?(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): boolean;
  /** Another HTTP/1.1 request came in (answered 400 and counted as refused): most often an OTLP/HTTP exporter. */
  onHttpRequest?(method: string, path: string): void;
  onInternalError?(error: unknown): void;
  /** How long a connection may take to say what it is, and an HTTP/1.1 request to arrive (`GRPC_PORT_TIMEOUTS`). */
  timeouts?: Partial<GrpcPortTimeouts>;
}

/** Bounds on connections to the gRPC port that are not (yet) gRPC; gRPC connections themselves have none. */
export interface GrpcPortTimeouts {
  /** A connection that sends nothing this long, before its first bytes tell what it is, is closed. */
  firstBytesMs: number;
  /** An HTTP/1.1 request's headers must arrive within this long of the connection being told HTTP/1.1. */
  headersMs: number;
  /** And the whole request, body included, within this long; past either it is answered 408 and closed. */
  requestMs: number;
}

/** The main HTTP server's bounds (its `headersTimeout`, and Node's default `requestTimeout`). */
export const GRPC_PORT_TIMEOUTS: GrpcPortTimeouts = { firstBytesMs: 10_000, headersMs: 66_000, requestMs: 300_000 };

export interface OtlpGrpcServer {
  /** The port really listened on. */
  port: number;
  /**
   * The start failed while the stores opened (as a rejected promise of `otlp` tells, but at once): held
   * calls, and those after, are answered UNAVAILABLE "did not start", also when close() follows at once.
   */
  fail(): void;
  /**
   * Answers calls that arrive from now on UNAVAILABLE, waits for those in flight, then stops listening.
   * Their connections are dropped SHUTDOWN_GRACE_MS after `exportsSettled` (see ExportsInFlight.settle).
   */
  close(exportsSettled?: Promise<void>): Promise<void>;
}

/** What `requestDeserialize` hands the handler: the decoded request, or why there is none. */
type Received =
  | { decoded: DecodedExport; bytes: Buffer }
  /** Arrived while the stores open: decoded once they are (see OtlpGrpcOptions.otlp). */
  | { later: Buffer }
  | { large: Buffer }
  | { malformed: string; status: number }
  | { failed: unknown };

/** The bytes of the messages held while the stores open (see OtlpGrpcOptions.otlp); a call past it is UNAVAILABLE. */
const MAX_HELD_BYTES = 64 * 1024 * 1024;

/**
 * Held calls are served, once the stores are open, in turns of about this many bytes of messages (and at
 * most RELEASE_TURN_CALLS calls), each decoded and stored at once: served in one turn, 1,000 held exports
 * of 42 KB kept /api/health waiting 2 s.
 */
const RELEASE_TURN_BYTES = 1024 * 1024;
const RELEASE_TURN_CALLS = 64;

/** How long close() waits for calls in flight, once the exports settled, before it drops their connections. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * Decodes with the project's own protobuf decoders. A malformed request must be INVALID_ARGUMENT
 * (not retried), but grpc-js answers INTERNAL for a deserializer that throws, so the failure is
 * carried to the handler instead.
 */
function receive(signal: OtlpSignal, bytes: Buffer): Received {
  // A large message is decoded in slices by the handler (requestDeserialize cannot wait).
  if (bytes.byteLength >= SLICED_BODY_BYTES) return { large: bytes };
  try {
    return { decoded: signal.decodeProtobuf(bytes), bytes };
  } catch (error) {
    return undecodable(signal, error);
  }
}

/** Why a message could not be decoded, as the handler answers it. */
function undecodable(signal: OtlpSignal, error: unknown): Received {
  if (error instanceof OtlpDecodeError) {
    return {
      malformed: decodeErrorMessage(signal, "protobuf", error),
      status: error instanceof OtlpLimitError ? 413 : 400,
    };
  }
  return { failed: error };
}

/**
 * Decodes a large message in slices. With `release` (nothing forwards it), the message's bytes are
 * freed once decoded, as OTLP/HTTP frees a large body (see `releaseBody`): held until the answer, the
 * 30 MB of a large request stayed beside all that storing its spans took.
 */
async function decodeLarge(signal: OtlpSignal, bytes: Buffer, release: boolean, stop?: AbortSignal): Promise<Received> {
  let decoded: DecodedExport;
  try {
    decoded = await runPaced(signal.decodeProtobufSteps(bytes), undefined, stop);
  } catch (error) {
    return undecodable(signal, error);
  }
  if (!release || !ownMessage(bytes)) return { decoded, bytes };
  releaseBody(ownBody(bytes));
  return { decoded, bytes: NO_BYTES };
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Whether a message is the only thing in its buffer, besides the 5 bytes of its gRPC prefix: grpc-js
 * joins a message that came in several frames into a buffer of its own (and inflates one into another),
 * and reads neither once it handed the message over. A message that is a view of a buffer holding
 * other bytes too (one frame's) is never emptied.
 */
function ownMessage(bytes: Buffer): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.buffer.byteLength - bytes.byteLength <= GRPC_PREFIX_BYTES;
}

/** A gRPC message's prefix: its compressed flag and its length. */
const GRPC_PREFIX_BYTES = 5;

/** The gRPC method's path, which is also what refusals over gRPC are recorded under. */
function exportPath(signal: OtlpSignal): string {
  return `/${signal.grpcService}/Export`;
}

/**
 * A hand-written service definition (no .proto at runtime): `/<service>/Export`, unary, the request
 * through `receive` (once `signalOf` has the signal: the stores are open) and the response encoded by
 * hand (an empty message, or partial_success).
 */
function exportService(grpcService: string, signalOf: () => OtlpSignal | null): ServiceDefinition {
  return {
    Export: {
      path: `/${grpcService}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (bytes: Buffer) => bytes,
      requestDeserialize: (bytes: Buffer) => {
        const signal = signalOf();
        return signal === null ? { later: bytes } : receive(signal, bytes);
      },
      responseSerialize: (outcome: ExportOutcome) =>
        Buffer.from(encodeExportResponseProtobuf(outcome.rejected, outcome.errorMessage)),
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
}

/**
 * grpc-js refuses a message it cannot read before the handler is called: past
 * `grpc.max_receive_message_length` before or after inflating (RESOURCE_EXHAUSTED), not inflatable
 * (INTERNAL), or in a `grpc-encoding` it does not know (UNIMPLEMENTED). It sends that status from the
 * call object it hands the first interceptor, through that object's own sendStatus, which no interceptor's
 * responder sees; so that method is wrapped here, and such a refusal is counted and told like the
 * handler's. A message that does not inflate is the client's fault: INVALID_ARGUMENT, not INTERNAL.
 */
function countUnreadMessages(record: RecordRefusal): ServerInterceptor {
  return (method, call) => {
    let read = false;
    let ended = false;
    const send = call.sendStatus.bind(call);
    call.sendStatus = (sent) => {
      const first = !ended;
      ended = true;
      send(first && !read ? unreadMessageRefused(record, method.path, sent) : sent);
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMessage(message, pass) {
            read = true;
            pass(message);
          },
        });
      },
    });
  };
}

/**
 * The trailer that tells an OTLP/gRPC sender when to retry an export refused UNAVAILABLE: the
 * google.rpc.Status with a RetryInfo detail of the delay OTLP/HTTP gives in Retry-After.
 */
function retryAfter(message: string, seconds = STORE_RETRY_AFTER_SECONDS): Metadata {
  const metadata = new Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(encodeStatusProtobuf(status.UNAVAILABLE, message, seconds)));
  return metadata;
}

type SentStatus = Parameters<ServerInterceptingCallInterface["sendStatus"]>[0];

/** Counts (and tells) a refusal now, or once the stores are open when they are not yet. */
type RecordRefusal = (refusal: (otlp: OtlpRouteDeps) => void) => void;

/** Counts a status sent before the message was read as the refusal of its HTTP status, and answers its code. */
function unreadMessageRefused(record: RecordRefusal, path: string, sent: SentStatus): SentStatus {
  const httpStatus =
    sent.code === status.RESOURCE_EXHAUSTED
      ? 413
      : sent.code === status.UNIMPLEMENTED
        ? 415
        : sent.code === status.INTERNAL
          ? 400
          : // DEADLINE_EXCEEDED and the like: the client gave up; nothing was refused.
            null;
  if (httpStatus === null) return sent;
  const message = sent.details;
  record((otlp) => refused(otlp, path, httpStatus, message));
  return { ...sent, code: rpcCodeFor(httpStatus).code };
}

/**
 * OTLP/gRPC: `TraceService`, `LogsService` and `MetricsService` `Export`, through the same decoders,
 * ingest and rejection counts as OTLP/HTTP. grpc-js inflates `grpc-encoding: gzip` (and deflate)
 * itself and bounds every message, before and after inflating, at `maxBodyBytes`; past it grpc-js
 * answers RESOURCE_EXHAUSTED without RetryInfo, which OTLP clients must not retry (counted by
 * `countUnreadMessages`, as are the other messages grpc-js cannot read). Browsers cannot
 * speak gRPC, so the Host policy against DNS rebinding has nothing to guard here; an HTTP/1.1 request
 * (a browser's too) is only answered 400, saying where OTLP/HTTP goes.
 */
export function startOtlpGrpcServer(options: OtlpGrpcOptions): Promise<OtlpGrpcServer> {
  let otlp: OtlpRouteDeps | null = options.otlp instanceof Promise ? null : options.otlp;
  let signals: OtlpSignal[] | null = otlp === null ? null : otlpSignals(otlp);
  /** The start failed while the stores opened: held calls, and those after, are answered UNAVAILABLE. */
  let failed = false;
  /**
   * Calls that came while the stores opened (and while those are served after), in order, each with
   * the bytes of its message: served (or answered) once the stores are open, or the start failed.
   */
  const held = new Map<() => void, number>();
  /** The bytes of the messages `held` keeps. */
  let heldBytes = 0;
  const maxHeld = options.maxHeld ?? { calls: MAX_HELD_REQUESTS, bytes: MAX_HELD_BYTES };
  /** Answers every held call at once: each is only told UNAVAILABLE (the start failed, or closing). */
  const answerHeld = () => {
    for (const serve of [...held.keys()]) serve();
  };
  let releasing = false;
  /** Serves the held calls in turns (see RELEASE_TURN_BYTES): /api/health and the page are answered between. */
  const releaseHeld = () => {
    if (releasing) return;
    releasing = true;
    const turn = () => {
      let calls = 0;
      let bytes = 0;
      for (const [serve, size] of held) {
        if (calls === RELEASE_TURN_CALLS || (calls > 0 && bytes + size > RELEASE_TURN_BYTES)) break;
        calls++;
        bytes += size;
        serve();
      }
      if (held.size > 0) setImmediate(turn);
      else releasing = false;
    };
    turn();
  };
  /**
   * Refusals while the stores open (grpc-js's of messages it cannot read, HTTP/1.1 requests), counted
   * and told once they are: at most as many as calls are held; none if the start fails.
   */
  const refusedMeanwhile: ((otlp: OtlpRouteDeps) => void)[] = [];
  const recordRefusal: RecordRefusal = (refusal) => {
    if (otlp !== null) refusal(otlp);
    else if (!failed && refusedMeanwhile.length < maxHeld.calls) refusedMeanwhile.push(refusal);
  };
  const fail = () => {
    failed = true;
    refusedMeanwhile.length = 0;
    answerHeld();
  };
  if (options.otlp instanceof Promise) {
    options.otlp.then((deps) => {
      if (failed) return;
      otlp = deps;
      signals = otlpSignals(deps);
      for (const refusal of refusedMeanwhile.splice(0)) refusal(deps);
      releaseHeld();
    }, fail);
  }
  const timeouts = { ...GRPC_PORT_TIMEOUTS, ...options.timeouts };
  // grpc-js would print its own lines (a failed bind, for one); every failure here reaches the caller.
  setLogVerbosity(logVerbosity.NONE);
  const countUnread = countUnreadMessages(recordRefusal);
  const server = new Server({
    "grpc.max_receive_message_length": options.maxBodyBytes,
    interceptors: [
      // All three need grpc-js's own call object, which only the first interceptor is handed.
      (method, call) => {
        copyFramesOnArrival(call, options.freePieces);
        inflateLikeABody(call, options.maxBodyBytes, options.freePieces);
        return countUnread(method, call);
      },
    ],
  });
  let closing = false;

  // In the order of otlpSignals.
  const services = [OTLP_GRPC_SERVICES.traces, OTLP_GRPC_SERVICES.logs, OTLP_GRPC_SERVICES.metrics];
  services.forEach((grpcService, index) => {
    const signalOf = () => signals?.[index] ?? null;
    /** `released`: taken out of `held`, not queued behind the calls still there. */
    const Export = (
      call: ServerUnaryCall<Received, ExportOutcome>,
      answered: sendUnaryData<ExportOutcome>,
      released = false,
    ) => {
      if (closing) {
        answered({ code: status.UNAVAILABLE, details: "tracekit-local is shutting down" });
        return;
      }
      const signal = signalOf();
      if (otlp === null || signal === null || (!released && held.size > 0)) {
        holdCall(call, answered, () => Export(call, answered, true));
      } else serve(otlp, signal, call, answered);
    };
    server.addService(exportService(grpcService, signalOf), { Export });
  });

  /** Holds a call that came while the stores open (see OtlpGrpcOptions.otlp) until `serve` can run. */
  function holdCall(
    call: ServerUnaryCall<Received, ExportOutcome>,
    answered: sendUnaryData<ExportOutcome>,
    serveLater: () => void,
  ): void {
    if (failed) {
      answered({ code: status.UNAVAILABLE, details: "tracekit-local did not start" });
      return;
    }
    // Unlike an HTTP request's body, a gRPC message is read whole before it is held: bounded in bytes too.
    const bytes = "later" in call.request ? call.request.later.byteLength : 0;
    const full =
      held.size >= maxHeld.calls
        ? `${held.size.toLocaleString("en-US")} export${held.size === 1 ? "" : "s"}`
        : heldBytes + bytes > maxHeld.bytes
          ? `${heldSize(heldBytes)} of exports (at most ${heldSize(maxHeld.bytes)})`
          : null;
    if (full !== null) {
      const message = `tracekit-local is still starting and already holds ${full} until it is ready; retry in a moment`;
      answered({ code: status.UNAVAILABLE, details: message, metadata: retryAfter(message, 1) });
      return;
    }
    const release = () => {
      held.delete(serve);
      heldBytes -= bytes;
    };
    const serve = () => {
      call.off("cancelled", gone);
      release();
      serveLater();
    };
    // The client gave up (its deadline passed, or it stopped): nothing is left to answer.
    const gone = release;
    call.once("cancelled", gone);
    held.set(serve, bytes);
    heldBytes += bytes;
  }

  function serve(
    otlp: OtlpRouteDeps,
    signal: OtlpSignal,
    call: ServerUnaryCall<Received, ExportOutcome>,
    answered: sendUnaryData<ExportOutcome>,
  ): void {
    const path = exportPath(signal);
    // Counted among the exports in flight (see ExportsInFlight) until answered.
    const end = otlp.exports?.begin();
    /** Set while a large message is decoded and stored (see OtlpRouteDeps.holdYoungGeneration). */
    let releaseYoung: (() => void) | undefined;
    const callback: sendUnaryData<ExportOutcome> = (error, value) => {
      try {
        answered(error, value);
      } finally {
        releaseYoung?.();
        end?.();
      }
    };
    const answer = (received: Received) => {
      if ("later" in received) {
        answer(receive(signal, received.later));
        return;
      }
      if ("malformed" in received) {
        // Recorded as the HTTP status the gRPC code maps to: 400 INVALID_ARGUMENT, 413 RESOURCE_EXHAUSTED
        // (without RetryInfo, so that clients do not retry it).
        refused(otlp, path, received.status, received.malformed);
        callback({ code: rpcCodeFor(received.status).code, details: received.malformed });
        return;
      }
      if ("failed" in received) {
        unavailable(received.failed);
        return;
      }
      if ("large" in received) {
        if (received.large.byteLength >= HOLD_YOUNG_BYTES) releaseYoung ??= otlp.holdYoungGeneration?.();
        decodeLarge(signal, received.large, otlp.forward === undefined, otlp.exports?.signal).then(answer, internal);
        return;
      }
      accept(received);
    };
    const internal = (error: unknown) => {
      options.onInternalError?.(error);
      callback({ code: status.INTERNAL, details: "internal error; see the tracekit-local terminal" });
    };
    // A commit the file's condition refused, or the server stopping, is UNAVAILABLE, which OTLP clients retry.
    const unavailable = (error: unknown) => {
      const message = storeUnavailable(signal, error, otlp, path);
      if (message === null) internal(error);
      else callback({ code: status.UNAVAILABLE, details: message, metadata: retryAfter(message) });
    };
    // With a store file, the answer waits for the commit holding these items (as over HTTP).
    const accept = (received: { decoded: DecodedExport; bytes: Buffer }) =>
      acceptExport(signal, received.decoded, otlp, path).then((outcome) => {
        callback(null, outcome);
        otlp.forward?.received(signal.path as OtlpSignalPath, { protobuf: received.bytes });
      }, unavailable);
    answer(call.request);
  }

  // The port is listened on here, not by grpc-js: each connection's first bytes say what it is, and an
  // HTTP/1.1 request (an OTLP/HTTP exporter pointed at this port) gets an answer that says so.
  const grpcConnections = server.createConnectionInjector(ServerCredentials.createInsecure());
  const headersArrived = new WeakMap<Socket, (request: IncomingMessage) => void>();
  const http1 = createHttp1Server((request, response) => {
    headersArrived.get(request.socket as Socket)?.(request);
    // One request per connection, as answerHttp1 answers; what a GET may carry is read and dropped.
    request.resume();
    if (options.answersHealth?.(request, response, { Connection: "close" }) === true) return;
    answerHttp1(request, response, { ...options, recordRefusal }, port);
  });
  const sockets = new Set<Socket>();
  const listener = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    routeConnection(socket, timeouts.firstBytesMs, {
      http2: (routed) => grpcConnections.injectConnection(routed),
      http1: (routed) => {
        headersArrived.set(routed, boundHttp1Request(routed, timeouts));
        http1.emit("connection", routed);
      },
    });
  });
  let port = 0;
  return new Promise((resolve, reject) => {
    listener.once("error", (error) => {
      server.forceShutdown();
      reject(error);
    });
    listener.listen(options.port, options.host, () => {
      port = (listener.address() as AddressInfo).port;
      resolve({
        port,
        fail,
        close(exportsSettled = Promise.resolve()) {
          closing = true;
          // Calls held while the stores opened are answered now (UNAVAILABLE: shutting down, or did not start).
          answerHeld();
          listener.close();
          return new Promise<void>((done) => {
            let force: NodeJS.Timeout | undefined;
            void exportsSettled.then(() => {
              force = setTimeout(() => {
                server.forceShutdown();
                for (const socket of sockets) socket.destroy();
              }, SHUTDOWN_GRACE_MS);
              force.unref();
            });
            server.tryShutdown(() => {
              clearTimeout(force);
              // What is left is not gRPC: connections that sent nothing yet, or HTTP/1.1 being answered.
              for (const socket of sockets) socket.destroy();
              done();
            });
          });
        },
      });
    });
  });
}

/** Bytes held, as a refusal names them: MiB to one decimal, or bytes below one MiB. */
function heldSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number(mib.toFixed(1)).toLocaleString("en-US")} MiB` : `${bytes.toLocaleString("en-US")} bytes`;
}

/** The first bytes of every HTTP/2 connection, which OTLP/gRPC exporters open. */
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Reads a connection's first bytes until they tell HTTP/2 (the preface, or a start of it still too short
 * to tell) from anything else, puts them back, and hands the connection on. No byte is lost: Node's HTTP/2
 * and HTTP/1 servers both read what is put back before what the socket receives next.
 */
function routeConnection(
  socket: Socket,
  firstBytesMs: number,
  to: { http2(socket: Socket): void; http1(socket: Socket): void },
): void {
  let head: Buffer = Buffer.alloc(0);
  const dropped = () => socket.destroy();
  // Until it is told apart, a connection that goes silent is dropped; after, a gRPC connection may idle
  // between exports as long as its client keeps it (grpc-js's keepalive pings are its business).
  socket.setTimeout(firstBytesMs);
  socket.on("timeout", dropped);
  const onData = (chunk: Buffer) => {
    head = head.byteLength === 0 ? chunk : Buffer.concat([head, chunk]);
    const compared = Math.min(head.byteLength, HTTP2_PREFACE.byteLength);
    const http2 = head.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
    if (http2 && compared < HTTP2_PREFACE.byteLength) return;
    socket.off("data", onData);
    socket.off("error", dropped);
    socket.off("timeout", dropped);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(head);
    if (http2) {
      to.http2(socket);
    } else {
      to.http1(socket);
      // The HTTP/1 server reads from the socket's own handle from now on; what was put back flows first.
      socket.resume();
    }
  };
  socket.on("data", onData);
  socket.on("error", dropped);
}

/**
 * The HTTP/1.1 server on the gRPC port never listens (connections are handed to it), so Node's
 * `headersTimeout` and `requestTimeout`, checked only for a listening server, never apply: the same bounds
 * are kept here, from when the connection was told HTTP/1.1 (one request per connection: it is answered
 * with `Connection: close`). Past one, a request not yet being answered gets 408 and the connection closes.
 * Returns what to call when the request's headers have arrived.
 */
function boundHttp1Request(socket: Socket, timeouts: GrpcPortTimeouts): (request: IncomingMessage) => void {
  const start = Date.now();
  let answering = false;
  const expire = () => {
    if (!answering && socket.writable) socket.write("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    socket.destroy();
  };
  let deadline = setTimeout(expire, Math.min(timeouts.headersMs, timeouts.requestMs));
  socket.once("close", () => clearTimeout(deadline));
  return (request) => {
    clearTimeout(deadline);
    deadline = setTimeout(expire, Math.max(0, timeouts.requestMs - (Date.now() - start)));
    request.once("end", () => {
      answering = true;
      clearTimeout(deadline);
    });
  };
}

/** The longest request path a refusal notice repeats. */
const MAX_NOTED_PATH = 200;

/**
 * An HTTP/1.1 request on the gRPC port, most often an OTLP/HTTP exporter given this port: answered 400
 * with an OTLP error (a google.rpc.Status in the request's encoding) naming the port that takes
 * OTLP/HTTP, counted with the other refusals, and told to the caller. The body is read to its end first,
 * so that the sender, still writing it, reads the answer instead of a reset connection.
 */
function answerHttp1(
  request: IncomingMessage,
  response: ServerResponse,
  options: Pick<OtlpGrpcOptions, "httpPort" | "onHttpRequest"> & { recordRefusal: RecordRefusal },
  port: number,
) {
  request.resume();
  request.on("end", () => {
    const path = (request.url ?? "/").slice(0, MAX_NOTED_PATH);
    const method = request.method ?? "GET";
    const message = `port ${port} receives OTLP/gRPC only; send OTLP/HTTP to port ${options.httpPort()}, or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc`;
    // Counted with the other refusals (once the stores are open, if they are not yet); told now.
    options.recordRefusal((otlp) => otlp.rejections.record({ path, method, status: 400, message }));
    options.onHttpRequest?.(method, path);
    const answer = otlpError(encodingOf(request.headers["content-type"]), 400, message, { Connection: "close" });
    response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(Buffer.byteLength(answer.body)) });
    response.end(answer.body);
  });
}
