import type { ErrorGroupJson } from "../../../../src/protocol";

/** The groups drawn while their order is held, and what showing the newest answer would change. */
export interface HeldGroups {
  groups: ErrorGroupJson[];
  /** Groups the newest answer has that are not drawn: they wait for the reader. */
  newCount: number;
  /** The newest answer orders the drawn groups otherwise (a group's newest error moved it up). */
  reordered: boolean;
}

/**
 * The newest answer's groups in the order `order` (the ids drawn when holding began) had them, each with
 * its newest counts, so no group moves under the pointer or the keyboard while errors stream in. New
 * groups wait; a group the answer no longer holds (its errors left the window) goes. The groups the
 * answer places after every group drawn (the next page, asked for at the end of the list) follow them
 * at once: below the last row, they move none.
 */
export function holdGroupOrder(order: readonly string[], fresh: readonly ErrorGroupJson[]): HeldGroups {
  const byId = new Map(fresh.map((group) => [group.id, group]));
  const groups: ErrorGroupJson[] = [];
  for (const id of order) {
    const group = byId.get(id);
    if (group !== undefined) groups.push(group);
  }
  const kept = new Set(groups.map((group) => group.id));
  const freshOrder = fresh.filter((group) => kept.has(group.id));
  const reordered = freshOrder.some((group, index) => group !== groups[index]);
  let lastKept = fresh.length - 1;
  while (lastKept >= 0 && !kept.has((fresh[lastKept] as ErrorGroupJson).id)) lastKept--;
  if (lastKept >= 0) groups.push(...fresh.slice(lastKept + 1));
  return { groups, newCount: fresh.length - groups.length, reordered };
}
