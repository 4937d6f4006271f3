/**
 * The one rule for what a failing span says, in a line. The server's trace summaries and error
 * groups read it off stored spans, the web app's trace view and the MCP tools off the REST shape of
 * the same spans: both fit `FailureSource`, and this module imports nothing so the web app can use it.
 */

/** The parts of a span (stored, or as the REST API gives it) that say what failed. */
export interface FailureSource {
  readonly events: readonly { readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }[];
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly status: { readonly message?: string | undefined };
}

/**
 * What went wrong in a failing span, in a line: its first exception event's type and message, else
 * exception attributes on the span itself, else its status message; null when it says nothing.
 * `exception` tells whether an exception said it (it beats a bare status message).
 */
export function failureOf(span: FailureSource): { message: string; exception: boolean } | null {
  for (const event of span.events) {
    if (event.name !== "exception") continue;
    const text = exceptionText(event.attributes);
    if (text !== null) return { message: text, exception: true };
  }
  const own = exceptionText(span.attributes);
  if (own !== null) return { message: own, exception: true };
  const status = span.status.message?.trim();
  return status ? { message: status, exception: false } : null;
}

/**
 * Whether a span counts as an error where the app counts errors (the Errors page's groups, `error_groups`,
 * `tail errors`): it failed (status ERROR), or it recorded an exception (an `exception` event with a
 * type or message), also when its status was left unset because the code caught and handled it.
 */
export function countsAsError(span: FailureSource & { readonly status: { readonly code: string } }): boolean {
  if (span.status.code === "ERROR") return true;
  return span.events.some((event) => event.name === "exception" && exceptionFields(event.attributes) !== null);
}

/**
 * The trace list's query (`q`) for traces that may hold such a span: a superset (a word also matches
 * text), for a client that then reads the spans and decides with `countsAsError`.
 */
export const ERROR_SPANS_QUERY = "status=error | exception.type | exception.message";

/** An exception as OpenTelemetry records it (`exception.*` attributes of an event or a span), trimmed. */
export interface ExceptionFields {
  type: string;
  message: string;
  stacktrace: string;
}

/** The `exception.*` attributes, or null when neither a type nor a message is given. */
export function exceptionFields(attributes: Readonly<Record<string, unknown>>): ExceptionFields | null {
  const text = (key: string) => {
    const value = attributes[key];
    return typeof value === "string" ? value.trim() : "";
  };
  const type = text("exception.type");
  const message = text("exception.message");
  if (!type && !message) return null;
  return { type, message, stacktrace: text("exception.stacktrace") };
}

function exceptionText(attributes: Readonly<Record<string, unknown>>): string | null {
  const fields = exceptionFields(attributes);
  if (fields === null) return null;
  const { type: t, message: m } = fields;
  return t && m ? `${t}: ${m}` : t || m;
}
