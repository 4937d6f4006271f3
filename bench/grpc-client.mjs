// A bare OTLP/gRPC client of one service's Export, sending bytes as given and returning the answer's
// bytes, as the OpenTelemetry gRPC exporters do. The gRPC bench and the gRPC receiver tests use it.
import { credentials, Metadata, makeGenericClientConstructor } from "@grpc/grpc-js";

const identity = (bytes) => bytes;
const GRPC_GZIP = 2;

export function exportClient(port, service, { gzip = false } = {}) {
  const Client = makeGenericClientConstructor(
    {
      Export: {
        path: `/${service}/Export`,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    service,
  );
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
    "grpc.default_compression_algorithm": gzip ? GRPC_GZIP : 0,
  });
  return {
    send: (body) =>
      new Promise((resolve) =>
        client.Export(Buffer.from(body), new Metadata(), (error, response) => resolve({ error, response })),
      ),
    close: () => client.close(),
  };
}
