import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import { UserText } from "../../components/UserText";
import { type QueryError, queryErrorText } from "../../lib/query-error";
import { useBoxText } from "../../lib/use-box-text";
import {
  applyCompletion,
  type CompletionContext,
  completionContext,
  FIXED_VALUES,
  matchSuggestions,
  QUERY_FIELDS,
} from "./query-complete";

export interface QueryInputProps {
  value: string;
  /** The query to load: after typing pauses, at once on Enter. */
  onCommit(value: string): void;
  /** Every edit, before it is committed (so another filter's change keeps it). */
  onDraft(value: string): void;
  /** Enter pressed on this text: true when it was taken (a trace id opened), so it is not committed as a query. */
  onEnter?(value: string): boolean;
  error: QueryError | null;
}

/** Keys and values fetched for autocomplete are reused this long. */
const CACHE_MS = 5000;
const cache = new Map<string, { at: number; items: Promise<string[]> }>();

function cached(name: string, load: () => Promise<string[]>): Promise<string[]> {
  const hit = cache.get(name);
  if (hit !== undefined && performance.now() - hit.at < CACHE_MS) return hit.items;
  const items = load().catch(() => []);
  cache.set(name, { at: performance.now(), items });
  return items;
}

function candidatesFor(context: CompletionContext): Promise<string[]> {
  if (context.kind === "key") {
    return cached("keys", () => api.attributeKeys().then((r) => r.keys.map((k) => k.key))).then((keys) => [
      ...QUERY_FIELDS,
      ...keys,
    ]);
  }
  const fixed = FIXED_VALUES[context.key.toLowerCase()];
  if (fixed !== undefined) return Promise.resolve([...fixed]);
  return cached(`values ${context.key}`, () =>
    api.attributeValues(context.key).then((r) => r.values.map((v) => v.value)),
  );
}

/**
 * Under the box: examples that fit its width at common window sizes (cut with an ellipsis when
 * narrower), each one that finds something in most apps' traces. The title adds the rest.
 */
const HINT = ["status=error", "duration>250ms", "key~text", "-key", "a | b"].join(" · ");
const FULL_HINT = `${HINT} · http.status_code>=500 · service=NAME · "exact text" — terms side by side must hold on one span`;

/** The trace list's query box: the query language with key and value autocomplete, a hint, and errors in place. */
export function QueryInput({ value, onCommit, onDraft, onEnter, error }: QueryInputProps) {
  const { text, setText, sent } = useBoxText(value);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [active, setActive] = useState(-1);
  const context = useRef<CompletionContext | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const request = useRef(0);
  // The latest callbacks: a pending commit must not use those of the render that started it.
  const commitRef = useRef(onCommit);
  commitRef.current = onCommit;
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const commit = (next: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    sent(next);
    commitRef.current(next);
  };
  const close = () => {
    request.current++;
    setSuggestions([]);
    setActive(-1);
  };
  const suggest = (next: string, caret: number) => {
    const ctx = completionContext(next, caret);
    context.current = ctx;
    const ticket = ++request.current;
    if (ctx === null) return close();
    candidatesFor(ctx).then((candidates) => {
      if (ticket !== request.current) return;
      setSuggestions(matchSuggestions(ctx.prefix, candidates));
      setActive(-1);
    });
  };
  const edit = (next: string, caret: number) => {
    setText(next);
    onDraft(next);
    suggest(next, caret);
    if (timer.current) clearTimeout(timer.current);
    // A pause right after an operator is a value still to come, not a query to run (Enter runs it).
    if (/(!=|>=|<=|[=<>~])\s*$/.test(next)) return;
    timer.current = setTimeout(() => commit(next), 300);
  };
  const pick = (choice: string) => {
    const ctx = context.current;
    const el = input.current;
    if (ctx === null || el === null) return;
    const applied = applyCompletion(text, ctx, choice);
    edit(applied.text, applied.caret);
    // After the render that shows the new text.
    requestAnimationFrame(() => el.setSelectionRange(applied.caret, applied.caret));
  };

  const open = suggestions.length > 0;
  const errorText = error === null ? null : queryErrorText(error);
  return (
    // With an error, the suggestions open under its message, which the list's own message points to.
    <div class={errorText !== null ? "query-box has-error" : "query-box"}>
      <input
        ref={input}
        class={`input filter-q${error !== null ? " input-invalid" : ""}`}
        type="search"
        value={text}
        placeholder="Search, or key=value, duration>250ms …  ( / )"
        aria-label="Search spans"
        aria-invalid={error !== null ? true : undefined}
        aria-describedby="query-hint"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls="query-suggestions"
        aria-activedescendant={open && active >= 0 ? `query-suggestion-${active}` : undefined}
        autoComplete="off"
        spellcheck={false}
        data-page-search=""
        onInput={(event) => {
          const el = event.currentTarget as HTMLInputElement;
          edit(el.value, el.selectionStart ?? el.value.length);
        }}
        onBlur={close}
        onKeyDown={(event) => {
          const el = event.currentTarget as HTMLInputElement;
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            if (!open) return suggest(el.value, el.selectionStart ?? el.value.length);
            const step = event.key === "ArrowDown" ? 1 : -1;
            // -1 is the text itself; past either end wraps around through it.
            const next = active + step;
            setActive(next < -1 ? suggestions.length - 1 : next >= suggestions.length ? -1 : next);
            return;
          }
          if ((event.key === "Enter" || event.key === "Tab") && open && active >= 0) {
            event.preventDefault();
            pick(suggestions[active] as string);
            return;
          }
          if (event.key === "Enter") {
            close();
            // Taken or not, the pause's commit is late now (a trace opened while its code loads
            // keeps this page, and the pause would have turned the id into the list's query).
            if (timer.current) clearTimeout(timer.current);
            timer.current = null;
            if (onEnter?.(el.value)) return;
            commit(el.value);
          }
          if (event.key === "Escape") {
            // Never the search field's own Escape, which empties the box while its query stays applied.
            event.preventDefault();
            if (open) {
              event.stopPropagation();
              close();
            } else el.blur();
          }
        }}
      />
      {open && (
        <div class="query-suggestions" id="query-suggestions" role="listbox" aria-label="Suggestions">
          {suggestions.map((suggestion, index) => (
            <div
              key={suggestion}
              id={`query-suggestion-${index}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              class={index === active ? "active" : undefined}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(suggestion);
              }}
            >
              <UserText text={suggestion} />
            </div>
          ))}
        </div>
      )}
      <div
        id="query-hint"
        class={errorText !== null ? "query-hint query-error" : "query-hint muted"}
        role={errorText !== null ? "alert" : undefined}
        title={errorText === null ? FULL_HINT : undefined}
      >
        {errorText ?? HINT}
      </div>
    </div>
  );
}
