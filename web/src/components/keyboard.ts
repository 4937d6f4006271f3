/** True when a key press belongs to a text field, so single-letter shortcuts must leave it alone. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return type !== "checkbox" && type !== "radio" && type !== "button";
}

/** True for a focused button or link, which Enter presses itself (a row's key must leave it be). */
export function isPressable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.tagName === "BUTTON" || (target.tagName === "A" && target.hasAttribute("href"));
}

/** A key press a page shortcut may take: not handled yet, no modifier (browser and OS keys stay theirs). */
export function isShortcutCandidate(event: KeyboardEvent): boolean {
  return !(event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey);
}

/** A dialog (the shortcut sheet) owns the keyboard while it is open. */
export function isDialogOpen(): boolean {
  return document.querySelector("[aria-modal='true']") !== null;
}
