/** A search query the server refused, as the trace list and the Logs page show it under their box. */
import { characterNumber } from "../../../src/domain/long-text";
import { ApiError } from "../api/client";

/**
 * What is wrong with the query, and where when the server says: `position` is a 0-based index in
 * UTF-16 units of `query` (what the box's cursor is placed by), `query` the text it was refused in.
 */
export interface QueryError {
  message: string;
  position?: number | undefined;
  query?: string | undefined;
}

/**
 * "At 10: …", counting characters from 1 as a reader (and the server's and CLI's own messages)
 * does: an emoji is one character, not the two units `position` counts; or the message alone.
 */
export function queryErrorText(error: QueryError): string {
  if (error.position === undefined) return error.message;
  const at = error.query === undefined ? error.position + 1 : characterNumber(error.query, error.position);
  return `At ${at}: ${error.message}`;
}

/**
 * A failed list request for `query` as a query error when the server refused it (`bad_query`): the page
 * shows it under the box with an empty list, not as a failure. Any other failure is thrown on.
 */
export function refusedQuery(reason: unknown, query: string | undefined): QueryError {
  if (!(reason instanceof ApiError) || reason.code !== "bad_query") throw reason;
  return { message: reason.message, position: reason.position, query };
}
