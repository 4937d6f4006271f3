/**
 * A click on a row that is a link: a plain left click opens it in the app (and stops preact-iso's
 * own link handler, which would push the URL a second time); a middle click or one with a modifier
 * is left to the browser (new tab, new window).
 */
export function openInApp(event: MouseEvent, open: () => void): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  event.stopPropagation();
  open();
}
