import { count } from "../../domain/count-text.js";
import { AppError } from "../../domain/errors.js";
import { rpcCodeFor } from "../../domain/rpc-code.js";
import { type RecentRunServices, tagRuns } from "../../domain/run-path.js";
import type { ForwardSink } from "../../forward/forwarder.js";
import type { Ingest } from "../../ingest/ingest.js";
import type { LogIngest } from "../../ingest/logs.js";
import type { MetricIngest } from "../../ingest/metrics.js";
import type { RejectionLog } from "../../ingest/rejections.js";
import {
  DUPLICATES_HEADER,
  encodeUnchangedTraces,
  LATE_SPANS_HEADER,
  REPORT_DUPLICATES_HEADER,
  UNCHANGED_TRACES_KEY,
} from "../../otlp/duplicates.js";
import { OtlpDecodeError } from "../../otlp/errors.js";
import { OTLP_GRPC_SERVICES } from "../../otlp/grpc-services.js";
import { decodeTraceRequestJsonDirect, largeTraceRequestJsonSteps } from "../../otlp/json/direct-traces.js";
import { decodeLogRequestJson, logRequestJsonSteps } from "../../otlp/json/logs.js";
import { parseOtlpJson } from "../../otlp/json/parse.js";
import { misdirectedJsonWarning } from "../../otlp/json/signal-key.js";
import { decodeTraceRequestJson } from "../../otlp/json/traces.js";
import {
  DIRECT_JSON_BODY_BYTES,
  ExportStoppedError,
  type ExportsInFlight,
  inTurn,
  mapSteps,
  OtlpLimitError,
  runPaced,
  SLICED_BODY_BYTES,
  storeInSlices,
  type WorkTurns,
} from "../../otlp/limits.js";
import type { LogDecodeResult } from "../../otlp/logs.js";
import type { OtlpSignalPath } from "../../otlp/protobuf/from-json.js";
import { decodeLogRequestProtobuf, logRequestSteps } from "../../otlp/protobuf/logs.js";
import { encodeExportResponseProtobuf, encodeStatusProtobuf } from "../../otlp/protobuf/status.js";
import { decodeTraceRequestProtobuf, traceRequestSteps } from "../../otlp/protobuf/traces.js";
import type { TraceDecodeResult } from "../../otlp/traces.js";
import { storeUnavailableReason } from "../../store/store-unavailable.js";
import { releaseBody } from "../body.js";
import type { HostPolicy } from "../security.js";
import { metricSignal } from "./otlp-metrics.js";

export interface OtlpRouteDeps {
  ingest: Ingest;
  logIngest: LogIngest;
  metricIngest: MetricIngest;
  hostPolicy: HostPolicy;
  maxBodyBytes: number;
  /** Read span kinds as OTLP's in every request (turns off the TraceKit local-UI kind translation). */
  strictSpanKinds?: boolean;
  /** Shares the event loop's turns between requests' decode and store work (see WorkTurns); at once without. */
  workTurns?: WorkTurns;
  /** The exports under way, which a stopping server waits for (see ExportsInFlight); untracked without. */
  exports?: ExportsInFlight;
  /** Keeps count of refused requests and spans, for health and the web app. */
  rejections: RejectionLog;
  /**
   * Told about each rejected request or partly rejected batch, for the CLI's event lines: a 200 with
   * `rejectedItems` is a partial rejection, one without a warning (nothing rejected).
   */
  onClientError?(path: string, status: number, message: string, details?: { rejectedItems?: number }): void;
  /**
   * Upstream forwarding (`--forward`): handed every request that was accepted (also when partly
   * rejected: the upstream judges its items itself), after ingest, never a refused one.
   */
  forward?: ForwardSink;
  /**
   * Called as an export of a body of HOLD_YOUNG_BYTES or more (as decoded) begins decoding; what it
   * returns is called once the export is answered. The app holds V8's young generation at its size
   * meanwhile (heap-compaction.ts, `youngGenerationHold`).
   */
  holdYoungGeneration?: () => () => void;
  /** Which run each service last sent under, for its spans' local-UI copies (see tagRunOf); none kept without. */
  recentRuns?: RecentRunServices;
}

/** Bodies from this size on (after gunzip) hold the young generation while decoded and stored (see OtlpRouteDeps). */
export const HOLD_YOUNG_BYTES = 4 * 1024 * 1024;

export type Encoding = "protobuf" | "json";

/**
 * Exports of at most this many spans are answered before they are stored, when the store can refuse none
 * of them and keeps no file (`Store.takesWhole`): the TraceKit Python SDK sends one span per request and
 * the app's own request waits for the answer. Storing them takes well under a slice of work.
 */
const ANSWER_FIRST_SPANS = 250;

/** The `Retry-After` of an export the store could not keep: a full disk is not freed within a second. */
export const STORE_RETRY_AFTER_SECONDS = 5;

export function encodingOf(contentType: string | undefined): Encoding | null {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return "protobuf";
  if (mediaType === "application/json") return "json";
  return null;
}

/**
 * True for a request from a TraceKit SDK's local-UI span processor: OTLP/JSON sent with the runtime's
 * bare HTTP client, so without a User-Agent, and without the `X-API-Key` that every request of the
 * SDK's backend path carries. Those bodies carry OpenTelemetry API span kinds, not OTLP's. Every OTLP
 * exporter of the OpenTelemetry SDKs (which send a User-Agent or, in the TraceKit SDKs' older bundled
 * exporter, the key), browsers and curl send one of the two headers.
 */
export function isTraceKitLocalUiRequest(request: Pick<OtlpHttpRequest, "header">): boolean {
  return !request.header("user-agent") && !request.header("x-api-key");
}

/** True when a JSON trace request's numeric span kinds are the OpenTelemetry API's (see above). */
function apiSpanKindsOf(
  request: Pick<OtlpHttpRequest, "header">,
  deps: Pick<OtlpRouteDeps, "strictSpanKinds">,
): boolean {
  return deps.strictSpanKinds !== true && isTraceKitLocalUiRequest(request);
}

/**
 * What a TraceKit SDK sends to a run's endpoint is the run's, as an OpenTelemetry SDK's is by its
 * resource; the same SDK's development-mode copies of its spans, sent to the local-UI path, are the
 * run's its service last sent under (RecentRunServices).
 */
function tagRunOf(
  decoded: DecodedExport,
  request: OtlpHttpRequest,
  encoding: Encoding,
  deps: Pick<OtlpRouteDeps, "recentRuns">,
): void {
  const runs = deps.recentRuns;
  const { runId } = request;
  if (runId !== undefined) {
    const services = decoded.addRunIds(() => runId);
    const now = Date.now();
    for (const service of services) runs?.note(service, runId, now);
  } else if (runs !== undefined && runs.any() && encoding === "json" && isTraceKitLocalUiRequest(request)) {
    const now = Date.now();
    decoded.addRunIds((service) => runs.runOf(service, now));
  }
}

/** An OTLP/HTTP answer, independent of the HTTP layer that writes it (Hono, or the Node fast path). */
export interface OtlpHttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /**
   * The store work of an export whose answer was known before it (`DecodedExport.acceptAfterAnswer`):
   * the writer of the answer runs it right after handing the answer to the socket, in the same turn,
   * so the sender stops waiting sooner and no later request can read the store before it ran.
   */
  afterAnswer?: () => void;
}

/** What the trace export reads of a request, whichever HTTP layer received it. */
export interface OtlpHttpRequest {
  header(name: string): string | undefined;
  /**
   * The body with Content-Encoding undone, at most `limit` bytes (AppError 413/415/400 otherwise). The
   * route may free a large body once it has read it (`releaseBody`, which empties its buffer) only when
   * the reader marked the buffer as made for this body alone (`ownBody`, as server/body.ts's readers do
   * whenever they copy the body into a buffer of its own); an unmarked body is left as it is.
   */
  body(limit: number): Promise<Uint8Array>;
  /** The run whose endpoint the request was sent to (`/run/<id>/v1/…`), if any. */
  runId?: string | undefined;
}

/** An OTLP error answer: a google.rpc.Status in the request's encoding (JSON when it has none we know). */
export function otlpError(
  encoding: Encoding | null,
  status: 400 | 404 | 405 | 413 | 415 | 503,
  message: string,
  headers: Record<string, string> = {},
): OtlpHttpAnswer {
  const { code } = rpcCodeFor(status);
  // The rest of an oversized body is never read: the connection must not be reused.
  if (status === 413) headers.Connection = "close";
  if (encoding === "protobuf") {
    headers["Content-Type"] = "application/x-protobuf";
    return { status, headers, body: encodeStatusProtobuf(code, message) };
  }
  headers["Content-Type"] = "application/json";
  return { status, headers, body: JSON.stringify({ code, message }) };
}

/**
 * The headers every OTLP answer starts with: nosniff, and CORS for a dev origin, with credentials as
 * its preflight allows them (server/otlp-cors.ts): a `navigator.sendBeacon` export is sent with them.
 */
export function corsHeaders(origin: string | undefined, hostPolicy: HostPolicy): Record<string, string> {
  if (origin === undefined || !hostPolicy.isDevOrigin(origin)) return { "X-Content-Type-Options": "nosniff" };
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Credentials": "true",
    Vary: "Origin",
    "X-Content-Type-Options": "nosniff",
  };
}

/** What one decoded export request holds, whatever its signal. */
export interface DecodedExport {
  /** Items present in the request but not accepted (the partial-success count). */
  rejected: number;
  /** The first few rejection reasons, for the partial-success message. */
  errors: string[];
  /** Items the store held already and did not store again; known once `accept` (or the after-answer work) ran. */
  duplicates: number;
  /**
   * Trace exports: spans dropped because retention had evicted their trace (`InsertResult.lateSpans`),
   * known once `accept` ran. Not refusals to an OTLP exporter; told only to a sender that asks (duplicates.ts).
   */
  lateSpans?: number;
  /**
   * Hands what was accepted to ingest; called once the whole body decoded. What the store then
   * refuses (e.g. spans of a trace larger than the retention bound) it adds to `rejected` and `errors`.
   * With a store file, resolves once what was accepted is committed to it: the 200 comes after.
   */
  accept(): void | Promise<void>;
  /**
   * When `accept` can refuse nothing and has nothing to wait for (a small export into a store without a
   * file, with room in the current slice of work): the same store work, synchronous, to run after the
   * answer is written. Null otherwise, and `accept` runs before the answer.
   */
  acceptAfterAnswer?(): (() => void) | null;
  /**
   * Set before `accept` when the sender asks how many items were stored already (duplicates.ts:
   * `tracekit-local import`). Log exports are then judged whether they were sent before (an
   * application's are stored whole, see LogInsertOptions); trace exports keep track of the trace ids
   * that took no new span, which `unchangedTraceIds` gives once `accept` ran.
   */
  reportDuplicates?: boolean;
  unchangedTraceIds?(): string[];
  /**
   * Adds to the resource of every item whose resource carries no run id the run `runOf` names for the
   * item's service, if any (see domain/run-path.ts); called before `accept`. The services it tagged.
   */
  addRunIds(runOf: (service: string) => string | undefined): Set<string>;
}

/** One OTLP signal as the receiver sees it: its path, its wording, its two decoders. */
export interface OtlpSignal {
  path: `/v1/${string}`;
  /** The OTLP/gRPC service whose `Export` method carries this signal (e.g. "opentelemetry.proto.collector.trace.v1.TraceService"). */
  grpcService: string;
  /** The protobuf message name, for decode errors (e.g. "ExportTraceServiceRequest"). */
  requestName: string;
  /** The JSON partial-success field (`rejectedSpans`, `rejectedLogRecords`, `rejectedDataPoints`). */
  rejectedField: string;
  /** Plural noun of the items, for messages ("spans", "log records", "data points"). */
  items: string;
  decodeProtobuf(body: Uint8Array): DecodedExport;
  /** `value` is the parsed JSON body (NaN and Infinity tokens already read as numbers). */
  decodeJson(value: unknown, request: OtlpHttpRequest): DecodedExport;
  /**
   * A JSON body read straight from its bytes, with the same result as `decodeJson` of it parsed, or
   * null when that reader leaves it to `decodeJson` (see otlp/json/direct-traces.ts).
   */
  decodeJsonBytes?(body: Uint8Array, request: OtlpHttpRequest): DecodedExport | null;
  /** `decodeProtobuf` as steps, for a large body decoded in slices (`runPaced`). */
  decodeProtobufSteps(body: Uint8Array): Generator<void, DecodedExport, void>;
  /** A large JSON body as received, never parsed whole, as steps. */
  decodeJsonSteps(body: Uint8Array, request: OtlpHttpRequest): Generator<void, DecodedExport, void>;
}

/**
 * Decodes a body: a small one at once (the common case, one turn of the event loop), a large one in
 * slices with pauses between them, so that other requests are answered meanwhile. `json` is the
 * parsed body, when it was parsed whole.
 */
export async function decodeBody(
  signal: OtlpSignal,
  encoding: Encoding,
  body: Uint8Array,
  request: OtlpHttpRequest,
  turns?: WorkTurns,
  stop?: AbortSignal,
): Promise<{ decoded: DecodedExport; json?: unknown }> {
  const readBytes = signal.decodeJsonBytes;
  if (encoding === "json" && readBytes !== undefined && body.byteLength < DIRECT_JSON_BODY_BYTES) {
    const direct = await inTurn(turns, () => readBytes(body, request));
    if (direct !== null) return { decoded: direct };
  }
  if (body.byteLength < SLICED_BODY_BYTES) {
    return inTurn(turns, () => {
      if (encoding === "protobuf") return { decoded: signal.decodeProtobuf(body) };
      const json = parseOtlpJson(body);
      return { decoded: signal.decodeJson(json, request), json };
    });
  }
  if (encoding === "protobuf") return { decoded: await runPaced(signal.decodeProtobufSteps(body), undefined, stop) };
  return { decoded: await runPaced(signal.decodeJsonSteps(body, request), undefined, stop) };
}

const NO_BODY = new Uint8Array(0);

/**
 * Counts and reports a refused request (`status` 4xx, or 503 when the store could not keep it) or a
 * partly accepted one (200 and `rejectedItems`).
 */
export function refused(
  deps: Pick<OtlpRouteDeps, "rejections" | "onClientError">,
  path: string,
  status: number,
  message: string,
  rejectedItems?: number,
): void {
  deps.rejections.record({ path, status, message, rejectedItems });
  deps.onClientError?.(path, status, message, rejectedItems === undefined ? undefined : { rejectedItems });
}

/** What an accepted export answers: the partial-success count and message (both empty when all was kept). */
export interface ExportOutcome {
  rejected: number;
  errorMessage: string;
}

/**
 * Hands a decoded request to ingest and counts what was refused: the one step after decoding that
 * every transport (OTLP/HTTP on any port, OTLP/gRPC) shares. `path` is what the request was sent to
 * (`/v1/traces`, or the gRPC method's `/<service>/Export`), for the rejection notice.
 */
export async function acceptExport(
  signal: OtlpSignal,
  decoded: DecodedExport,
  deps: Pick<OtlpRouteDeps, "rejections" | "onClientError">,
  path: string = signal.path,
): Promise<ExportOutcome> {
  await decoded.accept();
  return decodeOutcome(signal, decoded, deps, path);
}

/**
 * When `error` is the store failing to keep an export because of its file's condition (a full disk, an
 * I/O error or a lock at commit: see store-unavailable.ts), counts and reports the request as refused
 * with 503 (UNAVAILABLE over gRPC), which OTLP senders retry, and returns the message they are told;
 * so too when the server stopping cut an export short (ExportStoppedError); null for any other error
 * (a bug, answered as one).
 */
export function storeUnavailable(
  signal: OtlpSignal,
  error: unknown,
  deps: Pick<OtlpRouteDeps, "rejections" | "onClientError">,
  path: string = signal.path,
): string | null {
  let message: string;
  if (error instanceof ExportStoppedError) {
    // Stopped between two slices (see ExportsInFlight): the items stored so far are told as duplicates
    // when the sender sends them again.
    message = `tracekit-local is stopping and did not store all the ${signal.items}; retry later`;
  } else {
    // An export writes; a store that must first read its file back (after a failed commit) says when that failed.
    const reason = storeUnavailableReason(error, "write");
    if (reason === null) return null;
    message = `cannot store the ${signal.items} now: ${reason}; retry later`;
  }
  refused(deps, path, 503, message);
  return message;
}

/** The 503 of an export the server could not store now (see `storeUnavailable`), with when to retry. */
function retryLater(encoding: Encoding, message: string, headers: Record<string, string>): OtlpHttpAnswer {
  headers["Retry-After"] = String(STORE_RETRY_AFTER_SECONDS);
  return otlpError(encoding, 503, message, headers);
}

/** Why a body could not be decoded, as the sender is told. */
export function decodeErrorMessage(signal: OtlpSignal, encoding: Encoding, error: OtlpDecodeError): string {
  return `cannot decode ${encoding === "protobuf" ? "protobuf" : "JSON"} ${signal.requestName}: ${error.message}`;
}

/**
 * POST /v1/<signal>: decode, hand to ingest, and answer as the OTLP specification says. Counted among
 * the exports in flight once its body is read, until it is answered and its work after the answer (if
 * any) is done: a sender still sending its body when the server stops holds nothing the stores need,
 * and is cut off with its connection.
 */
export async function exportSignal(
  signal: OtlpSignal,
  request: OtlpHttpRequest,
  deps: OtlpRouteDeps,
): Promise<OtlpHttpAnswer> {
  const flight: InFlight = { end: undefined, releaseYoung: undefined };
  let answer: OtlpHttpAnswer;
  try {
    answer = await answerExport(signal, request, deps, flight);
  } catch (error) {
    flight.end?.();
    throw error;
  } finally {
    flight.releaseYoung?.();
  }
  const { end } = flight;
  const after = answer.afterAnswer;
  if (end === undefined) return answer;
  if (after === undefined) end();
  else {
    answer.afterAnswer = () => {
      try {
        after();
      } finally {
        end();
      }
    };
  }
  return answer;
}

/** An export's place among the exports in flight (ExportsInFlight.begin's `end`), once it has one. */
interface InFlight {
  end: (() => void) | undefined;
  /** Lets the young generation grow again (see OtlpRouteDeps.holdYoungGeneration), once held. */
  releaseYoung: (() => void) | undefined;
}

async function answerExport(
  signal: OtlpSignal,
  request: OtlpHttpRequest,
  deps: OtlpRouteDeps,
  flight: InFlight,
): Promise<OtlpHttpAnswer> {
  const headers = corsHeaders(request.header("origin"), deps.hostPolicy);
  const contentType = request.header("content-type");
  const encoding = encodingOf(contentType);
  if (encoding === null) {
    const message = `Content-Type "${contentType ?? ""}" is not supported; send application/x-protobuf or application/json`;
    refused(deps, signal.path, 415, message);
    return otlpError(null, 415, message, headers);
  }
  let decoded: DecodedExport;
  let body: Uint8Array;
  let json: unknown;
  try {
    body = await request.body(deps.maxBodyBytes);
    flight.end = deps.exports?.begin();
    if (body.byteLength >= HOLD_YOUNG_BYTES) flight.releaseYoung = deps.holdYoungGeneration?.();
    ({ decoded, json } = await decodeBody(signal, encoding, body, request, deps.workTurns, deps.exports?.signal));
  } catch (error) {
    if (error instanceof AppError && (error.status === 413 || error.status === 415 || error.status === 400)) {
      refused(deps, signal.path, error.status, error.message);
      return otlpError(encoding, error.status, error.message, headers);
    }
    if (error instanceof OtlpLimitError) {
      const message = decodeErrorMessage(signal, encoding, error);
      refused(deps, signal.path, 413, message);
      return otlpError(encoding, 413, message, headers);
    }
    if (error instanceof OtlpDecodeError) {
      const message = decodeErrorMessage(signal, encoding, error);
      refused(deps, signal.path, 400, message);
      return otlpError(encoding, 400, message, headers);
    }
    // The server stopping cut the decode short.
    const stopped = storeUnavailable(signal, error, deps);
    if (stopped === null) throw error;
    return retryLater(encoding, stopped, headers);
  }
  tagRunOf(decoded, request, encoding, deps);
  // Another signal's request (`resourceLogs` sent to /v1/traces) decodes as one without items: the
  // sender is told where it goes. A protobuf body cannot be told apart.
  const misdirected = encoding === "json" && decoded.rejected === 0 ? misdirectedJsonWarning(body, signal.path) : null;
  if (misdirected !== null) {
    deps.rejections.record({ path: signal.path, status: 200, message: misdirected, misdirected: true });
    deps.onClientError?.(signal.path, 200, misdirected);
  }
  // Without forwarding the body is not read again: let it go while a large request is stored.
  if (deps.forward === undefined) {
    releaseBody(body);
    body = NO_BODY;
  }
  // A sender that asks how many items were stored already is answered once they are stored.
  const reportDuplicates = request.header(REPORT_DUPLICATES_HEADER) !== undefined;
  const afterAnswer = reportDuplicates ? null : (decoded.acceptAfterAnswer?.() ?? null);
  if (reportDuplicates) decoded.reportDuplicates = true;
  let outcome: ExportOutcome;
  try {
    outcome = afterAnswer === null ? await acceptExport(signal, decoded, deps) : decodeOutcome(signal, decoded, deps);
  } catch (error) {
    const message = storeUnavailable(signal, error, deps);
    if (message === null) throw error;
    return retryLater(encoding, message, headers);
  }
  const { rejected, errorMessage } = outcome;
  if (deps.forward !== undefined) {
    const path = signal.path as OtlpSignalPath;
    deps.forward.received(
      path,
      encoding === "protobuf"
        ? { protobuf: body }
        : { json: body, parsed: json, apiSpanKinds: path === "/v1/traces" && apiSpanKindsOf(request, deps) },
    );
  }
  if (reportDuplicates) {
    headers[DUPLICATES_HEADER] = String(decoded.duplicates);
    if (decoded.lateSpans !== undefined) headers[LATE_SPANS_HEADER] = String(decoded.lateSpans);
  }
  // Named only when there are some (the answer to a plain resend of new traces stays as OTLP has it).
  const unchangedIds = reportDuplicates ? (decoded.unchangedTraceIds?.() ?? []) : [];
  const unchanged = unchangedIds.length > 0 ? unchangedIds : null;
  let answer: OtlpHttpAnswer;
  if (encoding === "protobuf") {
    headers["Content-Type"] = "application/x-protobuf";
    const response = encodeExportResponseProtobuf(rejected, errorMessage);
    answer = {
      status: 200,
      headers,
      body: unchanged === null ? response : Buffer.concat([response, encodeUnchangedTraces(unchanged)]),
    };
  } else {
    headers["Content-Type"] = "application/json";
    // OTLP's warning: a partial success that rejected nothing, with a message.
    const answerBody: Record<string, unknown> =
      rejected !== 0
        ? { partialSuccess: { [signal.rejectedField]: rejected, errorMessage } }
        : misdirected !== null
          ? { partialSuccess: { [signal.rejectedField]: 0, errorMessage: misdirected } }
          : {};
    if (unchanged !== null) answerBody[UNCHANGED_TRACES_KEY] = unchanged;
    const body = JSON.stringify(answerBody);
    answer = { status: 200, headers, body };
  }
  if (afterAnswer !== null) answer.afterAnswer = afterAnswer;
  return answer;
}

/** What was refused of a decoded export (after `accept`, or when it can refuse nothing more), counted and reported. */
function decodeOutcome(
  signal: OtlpSignal,
  decoded: DecodedExport,
  deps: Pick<OtlpRouteDeps, "rejections" | "onClientError">,
  path: string = signal.path,
): ExportOutcome {
  const { rejected } = decoded;
  const errorMessage = decoded.errors.join("; ");
  if (rejected > 0) refusedItems(deps, path, signal, rejected, errorMessage);
  return { rejected, errorMessage };
}

/** Counts and reports the items refused of a request that was otherwise accepted (a 200). */
function refusedItems(
  deps: Pick<OtlpRouteDeps, "rejections" | "onClientError">,
  path: string,
  signal: Pick<OtlpSignal, "items">,
  rejected: number,
  errorMessage: string,
): void {
  refused(deps, path, 200, `rejected ${count(rejected)} ${signal.items}: ${errorMessage}`, rejected);
}

/** The trace signal: spans go to `ingest.spans`. */
export function traceSignal(deps: OtlpRouteDeps): OtlpSignal {
  const decoded = (result: TraceDecodeResult): DecodedExport => {
    /** Traces that took a new span, when asked (see `reportDuplicates`). */
    let changed: Set<string> | null = null;
    const out: DecodedExport = {
      rejected: result.rejectedSpans,
      errors: result.errors,
      duplicates: 0,
      lateSpans: 0,
      async accept() {
        let message: string | undefined;
        if (out.reportDuplicates === true) changed = new Set();
        // A commit failing between two slices would roll back the first ones: then this is no 200.
        const mark = deps.ingest.commitMark();
        await storeInSlices(
          result.spans,
          // Only a sender that asks how many were stored already (`tracekit-local import`) sends files,
          // which hold whole traces: it gets traces evicted earlier back; an exporter's late spans do not.
          (spans, writeLater) => {
            const inserted = deps.ingest.spans(spans, {
              writeLater,
              storeEvictedTraces: out.reportDuplicates === true,
            });
            out.rejected += inserted.rejectedSpans;
            out.duplicates += inserted.duplicateSpans;
            out.lateSpans = (out.lateSpans ?? 0) + inserted.lateSpans;
            message ??= inserted.rejectionMessage;
            // Stored, if perhaps evicted by the same insert: the sender counts it among the traces it added.
            if (changed !== null) for (const id of inserted.storedTraceIds) changed.add(id);
          },
          {
            turns: deps.workTurns,
            groupOf: (span) => span.traceId,
            writes: deps.ingest.writes,
            stop: deps.exports?.signal,
          },
        );
        if (message !== undefined) out.errors.push(message);
        await deps.ingest.committed(mark);
      },
      addRunIds: (runOf) => tagRuns(result.spans, runOf),
      unchangedTraceIds() {
        const unchanged = new Set<string>();
        for (const span of result.spans) if (!changed?.has(span.traceId)) unchanged.add(span.traceId);
        return [...unchanged];
      },
      acceptAfterAnswer() {
        const { spans } = result;
        if (spans.length > ANSWER_FIRST_SPANS || !deps.ingest.takesWhole(spans.length)) return null;
        const turns = deps.workTurns;
        const reserved = turns === undefined ? 0 : turns.reserve(spans.length);
        if (reserved === null) return null;
        return () => {
          const started = performance.now();
          const inserted = deps.ingest.spans(spans);
          turns?.done(reserved, spans.length, performance.now() - started);
          // Only another export handled between the answer's decision and this could make it refuse a
          // span; the answer is gone, but the refusal is still counted and told.
          if (inserted.rejectedSpans > 0) {
            const reason = inserted.rejectionMessage ?? "refused by the store";
            refusedItems(deps, signal.path, signal, inserted.rejectedSpans, reason);
          }
        };
      },
    };
    return out;
  };
  const signal: OtlpSignal = {
    path: "/v1/traces",
    grpcService: OTLP_GRPC_SERVICES.traces,
    requestName: "ExportTraceServiceRequest",
    rejectedField: "rejectedSpans",
    items: "span(s)",
    decodeProtobuf: (body) => decoded(decodeTraceRequestProtobuf(body)),
    decodeJson(value, request) {
      return decoded(decodeTraceRequestJson(value, { apiSpanKinds: apiSpanKindsOf(request, deps) }));
    },
    decodeJsonBytes(body, request) {
      const result = decodeTraceRequestJsonDirect(body, { apiSpanKinds: apiSpanKindsOf(request, deps) });
      return result === null ? null : decoded(result);
    },
    decodeProtobufSteps: (body) => mapSteps(traceRequestSteps(body), decoded),
    decodeJsonSteps: (body, request) =>
      mapSteps(largeTraceRequestJsonSteps(body, { apiSpanKinds: apiSpanKindsOf(request, deps) }), decoded),
  };
  return signal;
}

/** The log signal: records go to `logIngest.logs`. */
export function logSignal(deps: OtlpRouteDeps): OtlpSignal {
  const decoded = (result: LogDecodeResult): DecodedExport => {
    const out: DecodedExport = {
      rejected: result.rejectedLogRecords,
      errors: result.errors,
      duplicates: 0,
      addRunIds: (runOf) => tagRuns(result.logs, runOf),
      async accept() {
        const mark = deps.logIngest.commitMark();
        await storeInSlices(
          result.logs,
          // A large request is stored in slices, and judged as a whole whether it was sent before: only
          // a request from a sender that asks how many were stored already (`tracekit-local import`).
          (logs) => {
            const options = { request: result.logs, mayBeSentAgain: out.reportDuplicates === true };
            out.duplicates += deps.logIngest.logs(logs, options).duplicates;
          },
          { turns: deps.workTurns, stop: deps.exports?.signal },
        );
        await deps.logIngest.committed(mark);
      },
    };
    return out;
  };
  return {
    path: "/v1/logs",
    grpcService: OTLP_GRPC_SERVICES.logs,
    requestName: "ExportLogsServiceRequest",
    rejectedField: "rejectedLogRecords",
    items: "log record(s)",
    decodeProtobuf: (body) => decoded(decodeLogRequestProtobuf(body)),
    decodeJson: (value) => decoded(decodeLogRequestJson(value)),
    decodeProtobufSteps: (body) => mapSteps(logRequestSteps(body), decoded),
    decodeJsonSteps: (body) => mapSteps(logRequestJsonSteps(body), decoded),
  };
}

/** Every signal this server receives; the Node listener and the Hono routes answer each through exportSignal. */
export function otlpSignals(deps: OtlpRouteDeps): OtlpSignal[] {
  return [traceSignal(deps), logSignal(deps), metricSignal(deps)];
}
