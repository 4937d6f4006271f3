/** A search query the server refused, as the trace list and the Logs page show it under their box. */
import { ApiError } from "../api/client";

/** What is wrong with the query, and where (the 0-based character), when the server says. */
export interface QueryError {
  message: string;
  position?: number | undefined;
}

/** "At 10: …" (1-based, as a reader counts), or the message alone. */
export function queryErrorText(error: QueryError): string {
  return error.position !== undefined ? `At ${error.position + 1}: ${error.message}` : error.message;
}

/**
 * A failed list request as a query error when the server refused the query (`bad_query`): the page
 * shows it under the box with an empty list, not as a failure. Any other failure is thrown on.
 */
export function refusedQuery(reason: unknown): QueryError {
  if (!(reason instanceof ApiError) || reason.code !== "bad_query") throw reason;
  return { message: reason.message, position: reason.position };
}
