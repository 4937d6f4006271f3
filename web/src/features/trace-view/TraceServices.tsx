import { useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import { chipsWithin } from "./service-chips";

/**
 * The services a trace passed through, as chips in at most two lines (CSS sets the height); those
 * that do not fit are a "+K more" button away, so a trace of sixty services leaves the waterfall its
 * room. Chips past the two lines stay laid out (hidden), so a wider window shows more at once.
 */
export function TraceServices({ services }: { services: readonly string[] }) {
  const [expanded, setExpanded] = useState(false);
  const [shown, setShown] = useState(services.length);
  const list = useRef<HTMLSpanElement>(null);
  const listId = useId();
  useLayoutEffect(() => {
    const element = list.current;
    if (!element || expanded) {
      setShown(services.length);
      return;
    }
    const measure = () => {
      const chips = Array.from(element.children as HTMLCollectionOf<HTMLElement>);
      setShown(
        chipsWithin(
          chips.map((chip) => chip.offsetTop + chip.offsetHeight),
          element.clientHeight,
        ),
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [services, expanded]);
  const hidden = services.length - shown;
  return (
    <span class={`tv-stat tv-services${expanded ? " expanded" : ""}`} data-testid="trace-services">
      <span class="tv-stat-label">Services</span>
      <span class="tv-service-chips" id={listId} ref={list}>
        {services.map((service, i) => (
          <span
            key={service}
            class={`tv-service-chip${i >= shown ? " clipped" : ""}`}
            title={showBidiControls(service)}
            aria-hidden={i >= shown ? "true" : undefined}
          >
            <span class="service-dot" style={{ background: serviceColor(service) }} />
            <span class="tv-service-name">
              <UserText text={service} />
            </span>
          </span>
        ))}
      </span>
      {(hidden > 0 || expanded) && (
        <button
          type="button"
          class="tv-link-button tv-services-more"
          aria-expanded={expanded}
          aria-controls={listId}
          title={
            expanded ? "Show the first two lines of services" : `Show all ${formatCount(services.length)} services`
          }
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? "show fewer" : `+${hidden} more`}
        </button>
      )}
    </span>
  );
}
