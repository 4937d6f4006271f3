/** A `google.rpc.Code`, whose numbers and names gRPC's status codes share. */
export interface RpcCode {
  code: number;
  name: "INVALID_ARGUMENT" | "NOT_FOUND" | "RESOURCE_EXHAUSTED" | "UNIMPLEMENTED" | "UNAVAILABLE";
}

const INVALID_ARGUMENT: RpcCode = { code: 3, name: "INVALID_ARGUMENT" };

const RPC_CODES: Readonly<Record<number, RpcCode>> = {
  400: INVALID_ARGUMENT,
  404: { code: 5, name: "NOT_FOUND" },
  // A method other than POST on an OTLP/HTTP path: the operation is not supported there.
  405: { code: 12, name: "UNIMPLEMENTED" },
  413: { code: 8, name: "RESOURCE_EXHAUSTED" },
  415: { code: 12, name: "UNIMPLEMENTED" },
  // The store could not keep an export now (its file's disk is full…): the sender retries it.
  503: { code: 14, name: "UNAVAILABLE" },
};

/**
 * The code of an OTLP refusal, by the HTTP status it is answered and counted under: OTLP/HTTP writes it
 * in its error body, OTLP/gRPC answers it (and counts its refusals under that HTTP status), and the
 * terminal and the web app name it for a refusal that came over gRPC. Any other client error is
 * INVALID_ARGUMENT.
 */
export function rpcCodeFor(httpStatus: number): RpcCode {
  return RPC_CODES[httpStatus] ?? INVALID_ARGUMENT;
}
