import { useLayoutEffect, useState } from "preact/hooks";

/**
 * Whether a horizontally scrolling element has content hidden past its right edge (a column under
 * the sticky Operations column, or beyond it), kept as it scrolls, resizes or its content grows.
 */
export function useHiddenRight(ref: { current: HTMLElement | null }): boolean {
  const [hidden, setHidden] = useState(false);
  // After every render: the element comes and goes with the page's empty state, and a render may add columns.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    // One pixel of slack: a fractional width rounds either way.
    const measure = () => setHidden(element.scrollLeft + element.clientWidth < element.scrollWidth - 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    element.addEventListener("scroll", measure, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener("scroll", measure);
    };
  });
  return hidden;
}
