import { useCallback, useRef } from "preact/hooks";

export interface TypedHistory {
  /** Whether this filter change replaces the current history entry (else it adds one). */
  replaces(typing: boolean, unchanged: boolean): boolean;
  /** The text being typed was committed (Enter) or left (blur): the next edit adds its own entry. */
  endTyping(): void;
}

/**
 * How a list page's filter changes go into history. A pick (a select, a toggle) adds an entry. Text
 * typed into a box adds one at its first commit and replaces that entry at each later pause, so a
 * search is one step Back undoes, not one per pause, and not none (each search replaced the one
 * before, so Back left the page). Enter or leaving the box ends the edit: the next search is a step
 * of its own. A change to what is already shown replaces, so Enter adds no twin entry.
 */
export function useTypedHistory(): TypedHistory {
  const typed = useRef(false);
  const replaces = useCallback((typing: boolean, unchanged: boolean) => {
    const replace = unchanged || (typing && typed.current);
    typed.current = typing;
    return replace;
  }, []);
  const endTyping = useCallback(() => {
    typed.current = false;
  }, []);
  return { replaces, endTyping };
}
