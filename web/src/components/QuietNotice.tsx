import type { ComponentChildren } from "preact";

/**
 * The quiet line under the top bar that says data went somewhere other than the page (refused,
 * dropped): a bold summary, the reason, and a Dismiss button. Each notice decides when it shows.
 */
export function QuietNotice(props: {
  testId: string;
  summary: string;
  children: ComponentChildren;
  onDismiss(): void;
}) {
  return (
    <div class="rejection-notice" role="status" data-testid={props.testId}>
      <strong>{props.summary}.</strong> {props.children}
      <button type="button" class="button rejection-dismiss" onClick={props.onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
