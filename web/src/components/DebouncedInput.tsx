import { useEffect, useRef } from "preact/hooks";
import { useBoxText } from "../lib/use-box-text";

/** A text input that reports its value after typing pauses, and at once on Enter. */
export function DebouncedInput(props: {
  value: string;
  placeholder: string;
  label: string;
  onCommit(value: string): void;
  /** Every edit, before it is committed. */
  onDraft?(value: string): void;
  pageSearch?: boolean;
  class?: string;
  inputMode?: "numeric" | "text";
  invalid?: boolean;
  title?: string;
}) {
  const { text, setText, sent } = useBoxText(props.value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // A pending commit calls the latest callback, not the one of the render that started it.
  const onCommit = useRef(props.onCommit);
  onCommit.current = props.onCommit;
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const commit = (value: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    sent(value);
    onCommit.current(value);
  };
  return (
    <input
      class={`input ${props.class ?? ""}${props.invalid ? " input-invalid" : ""}`}
      aria-invalid={props.invalid ? true : undefined}
      title={props.title}
      type="search"
      value={text}
      placeholder={props.placeholder}
      aria-label={props.label}
      inputMode={props.inputMode}
      data-page-search={props.pageSearch ? "" : undefined}
      onInput={(event) => {
        const value = (event.currentTarget as HTMLInputElement).value;
        setText(value);
        props.onDraft?.(value);
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => commit(value), 300);
      }}
      onKeyDown={(event) => {
        if (event.key === "Enter") commit((event.currentTarget as HTMLInputElement).value);
        if (event.key === "Escape") {
          // Leaves the box as it is: a search field's own Escape empties it, while the filter it set stays applied.
          event.preventDefault();
          (event.currentTarget as HTMLInputElement).blur();
        }
      }}
    />
  );
}
