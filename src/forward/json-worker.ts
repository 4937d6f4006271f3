// The thread forwarding writes OTLP/JSON bodies as protobuf in (see json-encoder.ts). Built into a file
// of its own (`dist/forward-worker/`), with only the encoders in it.
import { parentPort } from "node:worker_threads";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import { protobufOf } from "./json-to-protobuf.js";

/** A body to encode, as the forwarding thread posts it (the bytes are transferred, not copied). */
export interface JsonWorkerRequest {
  id: number;
  path: OtlpSignalPath;
  json: Uint8Array;
  apiSpanKinds: boolean;
}

/** The encoded body (transferred back), or null when it could not be encoded (it is then not forwarded). */
export interface JsonWorkerAnswer {
  id: number;
  bytes: Uint8Array | null;
}

parentPort?.on("message", (request: JsonWorkerRequest) => {
  let encoded: Uint8Array;
  try {
    encoded = protobufOf(request.path, { json: request.json, apiSpanKinds: request.apiSpanKinds });
  } catch {
    parentPort?.postMessage({ id: request.id, bytes: null } satisfies JsonWorkerAnswer);
    return;
  }
  // Only a buffer of its own can be transferred: a small one may share Node's pool with others.
  const bytes = encoded.byteLength === encoded.buffer.byteLength ? encoded : new Uint8Array(encoded);
  parentPort?.postMessage({ id: request.id, bytes } satisfies JsonWorkerAnswer, [bytes.buffer as ArrayBuffer]);
});
