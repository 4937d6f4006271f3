/** How many of the trace header's service chips it shows before "+K more". Pure. */

/**
 * How many chips, in order, lie wholly within `limit` px of their list's top, given each chip's
 * bottom edge (px from the same top). The first chip past it ends the run, so the chips shown are
 * always the first ones (the root's service first) and the rest are the "+K more".
 */
export function chipsWithin(bottoms: readonly number[], limit: number): number {
  const past = bottoms.findIndex((bottom) => bottom > limit + 0.5);
  return past === -1 ? bottoms.length : past;
}
