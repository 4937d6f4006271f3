import { useEffect } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { LlmCallJson, LlmGroupJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { BuildingNote, useReloadWhileBuilding } from "../../components/BuildingNote";
import { ServiceSelect } from "../../components/ServiceSelect";
import { SetupHint } from "../../components/SetupHint";
import { TimeWindowSelect, windowSince } from "../../components/TimeWindowSelect";
import { UserText } from "../../components/UserText";
import { emptyList } from "../../lib/empty-list";
import { formatAbsolute, formatCount, formatDuration, formatUsd, nanosToMillis } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLatestFetch } from "../../lib/use-latest-fetch";
import { useLiveMessages } from "../../state/live-context";
import { cacheText } from "./cache-text";
import { LlmCharts } from "./LlmCharts";
import { llmSearch, readLlmFilters } from "./llm-url";
import { costLines, costText, withoutUsageText } from "./usage-text";
import "./llm.css";

const NO_SERVICES: readonly string[] = [];

/** `/llm`: every GenAI call, what it cost, and totals per model and service; live. */
export function LlmPage() {
  const { query, route, path } = useLocation();
  const filters = readLlmFilters(query);

  useEffect(() => {
    document.title = "LLM · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);

  // One request at a time: a filter picked aborts the one in flight, and a refresh while one for the same
  // filters is in flight waits for it, so a late answer never replaces a newer one.
  const asked = `${filters.service ?? ""}\u0000${filters.window}`;
  const {
    data: usage,
    error,
    load,
  } = useLatestFetch(asked, (signal) =>
    api.llm({ service: filters.service, limit: 500, since: windowSince(filters.window) }, signal),
  );
  useEffect(load, [asked]);
  // New calls show up at most once a second while traffic flows.
  useLiveMessages(useCoalesced(load, 1000));
  useReloadWhileBuilding(usage?.building, load);

  // Each pick (service, window, what the charts draw) is a step Back undoes, as on the other pages; the
  // measure already drawn picked again adds none.
  const set = (patch: Partial<typeof filters>) => {
    const search = llmSearch({ ...filters, ...patch });
    route(`${path}${search}`, search === llmSearch(filters));
  };

  const empty = emptyList("LLM calls", filters);

  return (
    <div class="llm-page">
      <div class="llm-header">
        <h1>LLM calls</h1>
        <ServiceSelect
          value={filters.service}
          services={usage?.services ?? NO_SERVICES}
          onChange={(service) => set({ service })}
        />
        <TimeWindowSelect value={filters.window} onChange={(window) => set({ window })} />
        {usage && (
          <span
            class="muted llm-prices"
            title="Costs are estimates from list prices; calls to models without a price have no cost"
          >
            list prices of {usage.prices.bundledDate}
            {usage.prices.file !== null &&
              ` + ${formatCount(usage.prices.fileModels.length)} model${usage.prices.fileModels.length === 1 ? "" : "s"} from ${usage.prices.file}`}
          </span>
        )}
      </div>
      <BuildingNote building={usage?.building} />
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load LLM calls: {error}
        </div>
      )}
      {usage !== null && usage.totals.calls === 0 ? (
        <div class="page-message" data-testid="llm-empty">
          <h2>{empty.heading}</h2>
          <p>
            Spans that name a GenAI model (<code>gen_ai.request.model</code> or <code>gen_ai.response.model</code>, as
            OpenTelemetry's GenAI instrumentations and the TraceKit SDKs write them) show up here with their tokens and
            estimated cost.
          </p>
          {empty.filtered ? (
            <p>
              <button type="button" class="button" onClick={() => set({ service: undefined, window: "all" })}>
                Reset filters
              </button>
            </p>
          ) : (
            <SetupHint />
          )}
        </div>
      ) : usage !== null ? (
        <>
          <Totals totals={usage.totals} />
          <LlmCharts
            timeline={usage.timeline}
            byModel={usage.byModel}
            byService={usage.byService}
            measure={filters.measure}
            onMeasure={(measure) => set({ measure })}
          />
          <div class="llm-groups">
            <GroupTable title="By model" groups={usage.byModel} testId="llm-by-model" />
            <GroupTable title="By service" groups={usage.byService} testId="llm-by-service" service />
          </div>
          <CallTable calls={usage.calls} total={usage.totals.calls} />
        </>
      ) : null}
    </div>
  );
}

function Totals({ totals }: { totals: LlmGroupJson }) {
  return (
    <div class="llm-totals" data-testid="llm-totals">
      <Card
        label="Calls"
        value={formatCount(totals.calls)}
        sub={totals.failed > 0 ? `${formatCount(totals.failed)} failed` : ""}
      />
      <Card
        label="Tokens"
        value={`${formatCount(totals.inputTokens)} in · ${formatCount(totals.outputTokens)} out`}
        sub={[
          cacheText(totals.cachedInputTokens, totals.cacheWriteInputTokens),
          totals.noUsage > 0 ? `not counting ${withoutUsageText(totals.noUsage)} (not reported)` : "",
        ]
          .filter((part) => part !== "")
          .join(" · ")}
      />
      <Card
        label="Estimated cost"
        value={costText(totals)}
        sub={
          totals.unpriced > 0
            ? `${formatCount(totals.unpriced)} call${totals.unpriced === 1 ? "" : "s"} to models without a price`
            : ""
        }
      />
      <Card
        label="Latency"
        value={`p50 ${formatDuration(totals.p50Ms)} · p95 ${formatDuration(totals.p95Ms)}`}
        sub=""
      />
    </div>
  );
}

function Card({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div class="llm-card">
      <div class="llm-card-label">{label}</div>
      <div class="llm-card-value">{value}</div>
      {sub && <div class="llm-card-sub">{sub}</div>}
    </div>
  );
}

function GroupTable({
  title,
  groups,
  testId,
  service = false,
}: {
  title: string;
  groups: LlmGroupJson[];
  testId: string;
  service?: boolean;
}) {
  return (
    <section class="llm-group">
      <h2>{title}</h2>
      <table class="llm-table" data-testid={testId}>
        <thead>
          <tr>
            <th>{service ? "Service" : "Model"}</th>
            <th class="numeric">Calls</th>
            <th class="numeric">Tokens in / out</th>
            <th class="numeric">Cost</th>
            <th class="numeric">p50</th>
            <th class="numeric">p95</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.key}>
              <td>
                {service && <span class="service-dot" style={{ background: serviceColor(group.key) }} />}{" "}
                {service ? (
                  <UserText text={clipText(group.key)} />
                ) : (
                  <code>
                    <UserText text={clipText(group.key)} />
                  </code>
                )}
              </td>
              <td class="numeric">
                {formatCount(group.calls)}
                {group.failed > 0 && <div class="error-text">{formatCount(group.failed)} failed</div>}
              </td>
              <td class="numeric">
                {formatCount(group.inputTokens)} / {formatCount(group.outputTokens)}
              </td>
              <td class="numeric">
                <CostCell group={group} />
              </td>
              <td class="numeric">{formatDuration(group.p50Ms)}</td>
              <td class="numeric">{formatDuration(group.p95Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A group's cost, the calls to priced models without usage on a line of their own: the tables are narrow. */
function CostCell({ group }: { group: LlmGroupJson }) {
  const [cost, withoutUsage] = costLines(group);
  return (
    <>
      {cost}
      {withoutUsage !== "" && <div class="faint">{withoutUsage}</div>}
    </>
  );
}

function CallTable({ calls, total }: { calls: LlmCallJson[]; total: number }) {
  return (
    <section class="llm-calls">
      <h2>
        Calls{" "}
        <span class="muted">
          {calls.length < total ? `newest ${formatCount(calls.length)} of ${formatCount(total)}` : formatCount(total)}
        </span>
      </h2>
      <table class="llm-table" data-testid="llm-calls">
        <thead>
          <tr>
            <th>Time</th>
            <th>Service</th>
            <th>Provider · operation</th>
            <th>Model</th>
            <th class="numeric">Tokens in / out</th>
            <th class="numeric">Cost</th>
            <th class="numeric">Latency</th>
            <th class="numeric" title="Time to first token, when the instrumentation reports it">
              TTFT
            </th>
            <th>Finish</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => (
            <tr key={call.spanId} class={call.failed ? "failed" : ""}>
              <td class="mono">{formatAbsolute(nanosToMillis(call.startTimeUnixNano)).slice(11)}</td>
              <td>
                <span class="service-dot" style={{ background: serviceColor(call.service) }} />{" "}
                <UserText text={call.service} />
              </td>
              <td>
                {call.provider || call.operation ? (
                  <UserText text={clipText([call.provider, call.operation].filter(Boolean).join(" · "))} />
                ) : (
                  "–"
                )}
              </td>
              <td>
                <code>
                  <UserText text={clipText(call.cost.model)} />
                </code>
              </td>
              <td class="numeric" title={call.cost.usageReported ? undefined : "the call reported no token usage"}>
                {call.cost.usageReported ? (
                  `${formatCount(call.cost.inputTokens)} / ${formatCount(call.cost.outputTokens)}`
                ) : (
                  <span class="faint">— not reported</span>
                )}
                {call.cost.cachedInputTokens + call.cost.cacheWriteInputTokens > 0 && (
                  <span class="faint" title="of the input tokens, those read from and written to the provider's cache">
                    {" "}
                    ({cacheText(call.cost.cachedInputTokens, call.cost.cacheWriteInputTokens)})
                  </span>
                )}
              </td>
              <td class="numeric">
                {call.cost.usd === null ? (
                  <span class="faint">no price</span>
                ) : call.cost.usageReported ? (
                  formatUsd(call.cost.usd)
                ) : (
                  <span class="faint">—</span>
                )}
              </td>
              <td class="numeric">{formatDuration(call.durationMs)}</td>
              <td class="numeric">
                {call.timeToFirstTokenMs === null ? "–" : formatDuration(call.timeToFirstTokenMs)}
              </td>
              <td>
                {call.failed ? (
                  <span class="error-text">failed</span>
                ) : (
                  <UserText text={clipText(call.finishReasons.join(", "))} />
                )}
                {call.streaming ? <span class="faint"> · streamed</span> : null}
              </td>
              <td>
                <a href={`/traces/${call.traceId}?span=${call.spanId}`}>trace →</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
