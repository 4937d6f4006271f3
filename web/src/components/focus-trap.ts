/** What Tab can reach inside an element, in document order. */
const TABBABLE =
  "a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])";

/**
 * Keeps Tab inside a modal dialog: from its last focusable element Tab goes to its first, and Shift+Tab
 * from its first to its last (and from outside it, back in), instead of on to the page behind.
 */
export function trapTab(event: KeyboardEvent, container: HTMLElement): void {
  if (event.key !== "Tab") return;
  const items = [...container.querySelectorAll<HTMLElement>(TABBABLE)];
  const first = items[0];
  const last = items[items.length - 1];
  if (first === undefined || last === undefined) {
    event.preventDefault();
    return;
  }
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !container.contains(active))) {
    last.focus();
    event.preventDefault();
  } else if (!event.shiftKey && (active === last || !container.contains(active))) {
    first.focus();
    event.preventDefault();
  }
}
