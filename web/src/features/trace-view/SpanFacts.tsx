import { useMemo } from "preact/hooks";
import type { LlmCostJson, LogRecordJson, SpanJson } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { LongText } from "../../components/LongText";
import { UserText } from "../../components/UserText";
import { formatCount, formatUsd } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { cacheText } from "../llm/cache-text";
import { dbFacts, httpFacts, messagingFacts } from "./attribute-groups";
import { type GenAiMessage, genAiFacts, genAiLogEvents } from "./genai";
import { formatSql, looksLikeSql } from "./sql-format";

/** The key facts of HTTP, database, messaging and GenAI spans, above the raw attributes. */
export function SpanFacts({ span, logs }: { span: SpanJson; logs?: readonly LogRecordJson[] | undefined }) {
  const http = httpFacts(span.attributes);
  const db = dbFacts(span.attributes);
  const messaging = messagingFacts(span.attributes);
  // Reads the whole conversation (parsing its JSON): once per span, not at every render.
  // Its messages are span events, or log records in the span (where current instrumentations write them).
  const genAi = useMemo(() => genAiFacts(span.attributes, span.events, genAiLogEvents(logs)), [span, logs]);
  // The server's count of the input includes cache reads and writes however the span reports them.
  const inputTokens = span.llmCost?.inputTokens ?? genAi?.inputTokens;
  if (!http && !db && !messaging && !genAi) return null;
  return (
    <div class="tv-facts">
      {http && (
        <div class="tv-fact-line">
          <span class="tv-fact-kind">HTTP</span>
          {http.method && <span class="tv-method">{http.method}</span>}
          {http.statusCode !== undefined && <HttpStatus code={http.statusCode} />}
          {http.route && (
            <code class="tv-fact-route">
              <UserText text={clipText(http.route)} />
            </code>
          )}
          {http.url && http.url !== http.route && (
            <code class="tv-fact-url">
              <UserText text={clipText(http.url)} />
            </code>
          )}
        </div>
      )}
      {db && <DbFactsView db={db} />}
      {messaging && (
        <div class="tv-fact-line">
          <span class="tv-fact-kind">Messaging</span>
          <UserText
            text={clipText([messaging.system, messaging.operation, messaging.destination].filter(Boolean).join(" · "))}
          />
          {messaging.messageId && (
            <code class="faint">
              id <UserText text={clipText(messaging.messageId)} />
            </code>
          )}
        </div>
      )}
      {genAi && (
        <div class="tv-genai">
          <div class="tv-fact-line">
            <span class="tv-fact-kind">GenAI</span>
            <UserText text={clipText([genAi.provider, genAi.operation].filter(Boolean).join(" · "))} />
          </div>
          <dl class="tv-kv">
            {(genAi.requestModel || genAi.responseModel) && (
              <>
                <dt>Model</dt>
                <dd>
                  <code>
                    <UserText text={clipText(genAi.responseModel ?? genAi.requestModel ?? "")} />
                  </code>
                  {genAi.requestModel && genAi.responseModel && genAi.requestModel !== genAi.responseModel && (
                    <span class="faint">
                      {" "}
                      (asked for <UserText text={clipText(genAi.requestModel)} />)
                    </span>
                  )}
                </dd>
              </>
            )}
            {span.llmCost?.usageReported === false ? (
              <>
                <dt>Tokens</dt>
                <dd data-testid="llm-tokens" title="The span has no gen_ai.usage.* token counts">
                  <span class="faint">— not reported</span>
                </dd>
              </>
            ) : (
              (inputTokens !== undefined || genAi.outputTokens !== undefined) && (
                <>
                  <dt>Tokens</dt>
                  <dd data-testid="llm-tokens">
                    <TokenCounts input={inputTokens} output={genAi.outputTokens} />
                  </dd>
                </>
              )
            )}
            {span.llmCost && (
              <>
                <dt>Cost</dt>
                <dd data-testid="llm-cost">
                  <LlmCostText cost={span.llmCost} />
                </dd>
              </>
            )}
            {genAi.finishReasons.length > 0 && (
              <>
                <dt>Finish</dt>
                <dd>
                  <UserText text={clipText(genAi.finishReasons.join(", "))} />
                </dd>
              </>
            )}
          </dl>
          <Messages title="Prompt" messages={genAi.prompt} />
          <Messages title="Completion" messages={genAi.completion} />
        </div>
      )}
    </div>
  );
}

/**
 * A call's token counts: both sides and their total, or only the side the span reports (an embeddings
 * call has no output tokens, so it reads "8 in", not "8 in · 0 out").
 */
function TokenCounts({ input, output }: { input: number | undefined; output: number | undefined }) {
  if (output === undefined) return <>{formatCount(input ?? 0)} in</>;
  if (input === undefined) return <>{formatCount(output)} out</>;
  return (
    <>
      {formatCount(input)} in · {formatCount(output)} out
      <span class="faint"> · {formatCount(input + output)} total</span>
    </>
  );
}

/**
 * An HTTP status code, coloured by its class. 0 is no status at all: browser instrumentations (fetch,
 * XHR) write it when the request got no response, and leave the span's status unset, so a bare 0 beside
 * the method would read as a success.
 */
function HttpStatus({ code }: { code: number }) {
  if (code === 0) {
    return (
      <span
        class="tv-http-status error"
        title="Status 0: the request got no HTTP response (a network error, a refused connection, or a request blocked by CORS)"
      >
        no response
      </span>
    );
  }
  return <span class={`tv-http-status${code >= 500 ? " error" : code >= 400 ? " warn" : ""}`}>{code}</span>;
}

/** A call's cost at the prices in use; unknown (not $0) when the model has no price or the call reported no usage. */
function LlmCostText({ cost }: { cost: LlmCostJson }) {
  if (cost.usd === null) {
    return (
      <span class="faint">
        no price for <UserText text={clipText(cost.model)} />
      </span>
    );
  }
  if (!cost.usageReported) return <span class="faint">— not reported (the call reported no token usage)</span>;
  return (
    <>
      {formatUsd(cost.usd)}
      <span class="faint">
        {" "}
        at <UserText text={clipText(cost.priceKey ?? "")} /> list prices of {cost.pricesDate}
        {cost.cachedInputTokens + cost.cacheWriteInputTokens > 0
          ? ` (of the input, ${cacheText(cost.cachedInputTokens, cost.cacheWriteInputTokens)})`
          : ""}
      </span>
    </>
  );
}

function DbFactsView({ db }: { db: NonNullable<ReturnType<typeof dbFacts>> }) {
  const statement = db.statement;
  const pretty = useMemo(
    () => (statement === undefined ? "" : looksLikeSql(statement) ? formatSql(statement) : statement),
    [statement],
  );
  return (
    <div class="tv-db">
      <div class="tv-fact-line">
        <span class="tv-fact-kind">Database</span>
        <UserText text={clipText([db.system, db.namespace, db.operation, db.collection].filter(Boolean).join(" · "))} />
      </div>
      {statement !== undefined && (
        <div class="tv-code-block">
          <CopyButton text={statement} label="Copy statement" />
          <LongText
            text={pretty}
            render={(shown) => (
              <pre class="tv-sql">
                <UserText text={shown} />
              </pre>
            )}
          />
        </div>
      )}
    </div>
  );
}

const KNOWN_ROLES = new Set(["system", "user", "assistant", "tool"]);

function Messages({ title, messages }: { title: string; messages: GenAiMessage[] }) {
  if (messages.length === 0) return null;
  return (
    <div class="tv-messages">
      <h4 class="tv-group-title">
        {title} <span class="faint">{messages.length}</span>
      </h4>
      {messages.map((message, i) => (
        <div key={i} class="tv-message">
          <span class={`tv-role ${KNOWN_ROLES.has(message.role) ? message.role : "other"}`}>
            <UserText text={clipText(message.role)} />
          </span>
          {message.toolCallId && (
            <span class="faint tv-tool-result">
              result of <UserText text={clipText(message.toolCallId)} />
            </span>
          )}
          {message.notRecorded && (
            <span class="faint tv-not-recorded" data-testid="message-not-recorded">
              content not recorded: the instrumentation sends it when asked (OpenTelemetry's:
              OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)
            </span>
          )}
          {message.content !== "" && (
            <div class="tv-message-content">
              <LongText text={message.content} />
            </div>
          )}
          {message.toolCalls?.map((call, j) => (
            <div key={j} class="tv-tool-call" data-testid="tool-call">
              <span class="tv-tool-call-head">
                calls{" "}
                <code>
                  <UserText text={clipText(call.name)} />
                </code>
                {call.id && (
                  <span class="faint">
                    {" "}
                    · <UserText text={clipText(call.id)} />
                  </span>
                )}
              </span>
              {call.arguments !== "" && (
                <LongText
                  text={call.arguments}
                  render={(shown) => (
                    <pre class="tv-tool-call-args">
                      <UserText text={shown} />
                    </pre>
                  )}
                />
              )}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
