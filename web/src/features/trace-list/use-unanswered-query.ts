import { useEffect, useState } from "preact/hooks";
import { queryRefusal } from "../../../../src/domain/query";

/**
 * Whether the rows shown answer another query than the one typed. Once the box holds text that does
 * not parse (a value still to come after "=", which is not even sent, or any other mistake), the
 * rows are still those of the query before it, and they stay so until a query typed since has been
 * answered, or the box is back at the query they answer. `rowsQuery` is the query the rows answer
 * (`undefined`: none; null: no rows loaded yet); `onDraft` takes every edit of the box.
 *
 * Returns `{ query }`, the query the rows answer, while they do not answer what is typed; else null.
 */
export function useUnansweredQuery(rowsQuery: string | undefined | null) {
  const [answering, setAnswering] = useState<{ query: string | undefined | null } | null>(null);
  const marked = answering !== null && answering.query === rowsQuery ? answering : null;
  useEffect(() => {
    // The list has answered another query since (or refused it: it then says to fix it, in the rows' place).
    if (answering !== null && marked === null) setAnswering(null);
  }, [answering, marked]);
  const onDraft = (text: string) => {
    const typed = text.trim() || undefined;
    if (typed !== undefined && queryRefusal(typed) !== null) {
      if (marked === null) setAnswering({ query: rowsQuery });
    } else if (typed === rowsQuery) setAnswering(null);
  };
  return {
    unanswered: marked === null || marked.query === null ? null : { query: marked.query },
    onDraft,
  };
}
