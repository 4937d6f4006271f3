import { formatCount } from "../../lib/format";
import { GROUP_PAGE } from "./use-error-groups";

/**
 * The end of a list cut short: how many groups it holds of all in the window, and a button for the next
 * page (scrolling to the end asks for it too). Under "only where errors start" (`starts`) the next page
 * is looked through, not all shown: the groups that passed errors along stay hidden.
 */
export function MoreGroups(props: { shown: number; total: number; starts: boolean; onMore: () => void }) {
  const { shown, total } = props;
  const next = Math.min(GROUP_PAGE, Math.max(total - shown, 1));
  const groups = `${formatCount(next)} more group${next === 1 ? "" : "s"}`;
  return (
    <div class="errors-more">
      <button type="button" class="button" data-testid="errors-more" onClick={props.onMore}>
        {props.starts ? `Look through ${groups} for where errors start` : `Show ${groups}`}
      </button>{" "}
      <span class="muted">
        {formatCount(shown)} of {formatCount(total)} {props.starts ? "looked through" : "listed"}
      </span>
    </div>
  );
}
