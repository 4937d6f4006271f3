import { useEffect, useRef, useState } from "preact/hooks";

/** How many committed values may wait for the page to show them. */
const PENDING_MAX = 8;

/**
 * A text box's own text beside the value its page shows. The page shows a value the box committed a
 * render and an effect later; text typed in between stays, instead of that echo putting the older
 * value back over it (keys typed right after a pause or Enter were lost that way on a busy machine).
 * A value the box did not send (Back, Reset filters, a link) replaces the text.
 * `shown` is how the page shows a committed text (trimmed, by default).
 */
export function useBoxText(value: string, shown: (text: string) => string = (text) => text.trim()) {
  const [text, setText] = useState(value);
  const pending = useRef<string[]>([]);
  useEffect(() => {
    const index = pending.current.indexOf(value);
    if (index >= 0) {
      pending.current.splice(0, index + 1);
      return;
    }
    pending.current = [];
    setText(value);
  }, [value]);
  const sent = (committed: string) => {
    pending.current.push(shown(committed));
    if (pending.current.length > PENDING_MAX) pending.current.shift();
  };
  return { text, setText, sent };
}
