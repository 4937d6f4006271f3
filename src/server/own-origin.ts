import { AppError } from "../domain/errors.js";
import type { HostPolicy } from "./security.js";

/**
 * Changes are accepted from this app's own page, or from a client that sends no `Origin` (curl,
 * scripts, SDKs); another page in the browser gets 403.
 */
export function assertOwnOrigin(origin: string | undefined, hostPolicy: HostPolicy, port: number, what: string): void {
  if (origin !== undefined && !hostPolicy.isOwnOrigin(origin, port)) {
    throw new AppError(
      403,
      "forbidden_origin",
      `${what} is only accepted from this app's own page, not from ${origin}`,
    );
  }
}
