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

/**
 * A request a browser made for another site's page (`Sec-Fetch-Site` other than `same-origin` or
 * `none`): an `<img>` or `<script>` there GETs without an `Origin`, and an SDK (a server-side client)
 * sends no `Sec-Fetch-*` header at all.
 */
export function assertNotFromOtherSite(secFetchSite: string | undefined, what: string): void {
  if (secFetchSite === undefined || secFetchSite === "same-origin" || secFetchSite === "none") return;
  throw new AppError(
    403,
    "forbidden_origin",
    `${what} is not served to another site's page (Sec-Fetch-Site: ${secFetchSite})`,
  );
}
