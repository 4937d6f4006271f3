import { formatCount } from "../../lib/format";
import { GROUP_PAGE } from "./use-error-groups";

/**
 * The end of a list cut short: how many groups it holds of all in the window, and a button for the next
 * page (scrolling to the end asks for it too).
 */
export function MoreGroups({ shown, total, onMore }: { shown: number; total: number; onMore: () => void }) {
  const next = Math.min(GROUP_PAGE, Math.max(total - shown, 1));
  return (
    <div class="errors-more">
      <button type="button" class="button" data-testid="errors-more" onClick={onMore}>
        Show {formatCount(next)} more group{next === 1 ? "" : "s"}
      </button>{" "}
      <span class="muted">
        {formatCount(shown)} of {formatCount(total)} listed
      </span>
    </div>
  );
}
