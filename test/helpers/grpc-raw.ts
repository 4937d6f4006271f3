import type { ServiceDefinition } from "@grpc/grpc-js";

/** A service of one unary method, `path`, whose messages are their bytes as they are (no protobuf). */
export function rawBytesService(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: (bytes: Buffer) => bytes,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (bytes: Buffer) => bytes,
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
}
