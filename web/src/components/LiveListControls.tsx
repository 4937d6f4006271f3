/** The controls every live list has: Pause/Resume, and the "N new" pill for what was held back. */

export function PauseButton({ paused, noun, onToggle }: { paused: boolean; noun: string; onToggle(): void }) {
  return (
    <button
      type="button"
      class="button"
      aria-pressed={paused}
      title={`Stop adding new ${noun}s to the list while you read it`}
      onClick={onToggle}
    >
      {paused ? "Resume" : "Pause"}
    </button>
  );
}

export function NewItemsPill(props: { count: number; noun: string; testId: string; onShow(): void }) {
  if (props.count === 0) return null;
  return (
    <button type="button" class="pill-button new-traces-pill" onClick={props.onShow} data-testid={props.testId}>
      ↑ {props.count} new {props.noun}
      {props.count === 1 ? "" : "s"}
    </button>
  );
}
