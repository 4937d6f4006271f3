/**
 * What waits while the Errors page holds its order (use-held-groups.ts): new groups, or only a new order;
 * pressed, the newest order shows. The trace list's "N new" pill, for a list that also re-sorts.
 */
export function HeldGroupsPill(props: { newCount: number; reordered: boolean; onShow(): void }) {
  const { newCount, reordered } = props;
  if (newCount === 0 && !reordered) return null;
  return (
    <div class="errors-held">
      <button
        type="button"
        class="pill-button errors-held-pill"
        onClick={props.onShow}
        data-testid="errors-held"
        title="The order stands still while you point at the list, scroll it or have a group open or selected"
      >
        ↑{" "}
        {newCount > 0
          ? `${newCount} new group${newCount === 1 ? "" : "s"}${reordered ? ", order changed" : ""}`
          : "Order changed"}
      </button>
    </div>
  );
}
