// Types for bench/grpc-client.mjs, which the gRPC receiver tests import.
import type { ServiceError } from "@grpc/grpc-js";

export interface ExportClient {
  /** Resolves with the call's error, or null and the response's bytes. */
  send(body: Uint8Array): Promise<{ error: ServiceError | null; response?: Buffer }>;
  close(): void;
}
export function exportClient(port: number, service: string, options?: { gzip?: boolean }): ExportClient;
