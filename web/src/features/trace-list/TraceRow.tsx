import { type LlmCostWords, llmCostParts, llmCostText } from "../../../../src/domain/llm-cost-text";
import type { TraceLlmJson, TraceSummaryJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatDuration, formatUsd, isUnsetTime, shortId } from "../../lib/format";
import { openInApp } from "../../lib/in-app-link";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { withoutUsageText } from "../llm/usage-text";

export interface TraceRowProps {
  trace: TraceSummaryJson;
  selected: boolean;
  /** Bar length, 0–1, relative to the longest trace on screen. */
  barFraction: number;
  /** What the Started column says, and its tooltip (see lib/start-label.ts). */
  startText: string;
  startTitle: string;
  /** The list's service filter: a trace that matched through another service shows that one first. */
  filterService?: string | undefined;
  onSelect(): void;
  onOpen(): void;
}

export function TraceRow({
  trace,
  selected,
  barFraction,
  startText,
  startTitle,
  filterService,
  onSelect,
  onOpen,
}: TraceRowProps) {
  const barPct = Math.max(1, Math.min(100, barFraction * 100));
  const shown = filterService !== undefined && trace.services.includes(filterService) ? filterService : trace.service;
  const others = trace.services.filter((s) => s !== shown);
  return (
    <a
      href={`/traces/${trace.traceId}`}
      id={`trace-${trace.traceId}`}
      class={`trace-row${selected ? " selected" : ""}${trace.errorCount > 0 ? " has-error" : ""}`}
      role="option"
      aria-selected={selected}
      data-trace-id={trace.traceId}
      onMouseDown={onSelect}
      onClick={(event) => openInApp(event, onOpen)}
    >
      <span class="col-name" title={showBidiControls(clipText(trace.name))}>
        <span class="trace-name">{trace.name === "" ? "(unnamed)" : <UserText text={clipText(trace.name)} />}</span>
        {trace.errorMessage && (
          <span
            class="trace-error-message"
            title={showBidiControls(trace.errorMessage)}
            data-testid="trace-error-message"
          >
            <UserText text={trace.errorMessage} />
          </span>
        )}
        {trace.llm && (
          <span class="badge llm-mark" title={llmTitle(trace.llm)} data-testid="llm-mark">
            LLM
          </span>
        )}
        {!trace.hasRoot && (
          <span class="badge" title="The root span has not arrived (yet); the name is the earliest span's">
            no root
          </span>
        )}
        <span class="trace-id faint mono">{shortId(trace.traceId)}</span>
      </span>
      <span class="col-service">
        <span
          class="service-chip"
          title={showBidiControls(
            shown === trace.service
              ? `${shown} (the root span's service)`
              : `${shown}; the root span is ${trace.service}'s`,
          )}
        >
          <span class="service-dot" style={{ background: serviceColor(shown) }} />
          <UserText text={shown} />
        </span>
        {others.length > 0 && (
          <span class="faint trace-more-services" title={showBidiControls(`Also: ${others.join(", ")}`)}>
            {" "}
            +{others.length}
          </span>
        )}
      </span>
      <span class="col-spans">{formatCount(trace.spanCount)}</span>
      <span class="col-errors">
        {trace.errorCount > 0 ? (
          <span
            class="badge error"
            title={`${formatCount(trace.errorCount)} span${trace.errorCount > 1 ? "s" : ""} with status ERROR (a failure usually marks every caller on its way up)`}
          >
            {trace.errorCount} failing
          </span>
        ) : null}
      </span>
      {isUnsetTime(trace.startTimeUnixNano) ? (
        // No span of it has a start: it has no duration to draw or tell (the trace page says "–" too).
        <span class="col-duration" title="No span of this trace has a start time">
          <span class="duration-bar-track" />
          <span class="duration-text">–</span>
        </span>
      ) : (
        <span class="col-duration">
          <span class="duration-bar-track">
            <span class="duration-bar" style={{ width: `${barPct}%` }} />
          </span>
          <span class="duration-text">{formatDuration(trace.durationMs)}</span>
        </span>
      )}
      <span class="col-start" title={startTitle}>
        {startText}
      </span>
    </a>
  );
}

const count = formatCount;

const COST_WORDS: LlmCostWords = {
  usd: formatUsd,
  unpriced: (calls) => `${count(calls)} with no known price`,
  withoutUsage: withoutUsageText,
};

/**
 * The LLM mark's tooltip: calls, tokens and what they cost at the prices in use, each call of unknown
 * cost named once (domain/llm-cost-text.ts): "$0.0035 + 1 with no known price + 1 call without usage".
 */
export function llmTitle(llm: TraceLlmJson): string {
  const calls = `${count(llm.calls)} LLM call${llm.calls === 1 ? "" : "s"}`;
  // Calls that reported no usage count 0 tokens and $0: what they used is unknown, so it is said.
  if (llm.noUsageCalls === llm.calls) return `${calls} · usage not reported`;
  const tokens = `${count(llm.inputTokens + llm.outputTokens)} tokens (${count(llm.inputTokens)} in, ${count(llm.outputTokens)} out)`;
  const group = {
    usd: llm.usd ?? 0,
    calls: llm.calls,
    unpriced: llm.unpricedCalls,
    noUsage: llm.noUsageCalls,
    unpricedNoUsage: llm.unpricedNoUsageCalls,
  };
  const cost =
    llmCostParts(group).none === "no price" ? "cost unknown (no price for the model)" : llmCostText(group, COST_WORDS);
  return `${calls} · ${tokens} · ${cost}`;
}
