import { parseOtlpJson } from "../otlp/json/parse.js";
import { transcodeTraceRequestJson } from "../otlp/json/transcode-traces.js";
import { encodeExportRequestFromJson, type OtlpSignalPath } from "../otlp/protobuf/from-json.js";

/** An accepted OTLP/JSON request as a receiver hands it to forwarding. */
export interface JsonForwardBody {
  /** The JSON body as received (inflated). */
  json: Uint8Array;
  /** The same body parsed, when the receiver parsed it whole; else it is read from its bytes. */
  parsed?: unknown;
  /** The body carries OpenTelemetry API span kinds (the TraceKit SDKs' local-UI path). */
  apiSpanKinds: boolean;
}

/**
 * A JSON body as protobuf. Trace bodies are written straight from their bytes when the transcoder
 * takes them (several times cheaper than a parse tree and its encoding); the rest are parsed first.
 */
export function protobufOf(path: OtlpSignalPath, body: JsonForwardBody): Uint8Array {
  const options = { apiSpanKinds: body.apiSpanKinds };
  if (path === "/v1/traces" && body.parsed === undefined) {
    const transcoded = transcodeTraceRequestJson(body.json, options);
    if (transcoded !== null) return transcoded.bytes;
  }
  return encodeExportRequestFromJson(path, body.parsed ?? parseOtlpJson(body.json), options);
}
