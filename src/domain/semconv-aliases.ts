/**
 * Attribute names that semantic conventions renamed: a query for one name also reads the others,
 * so `http.status_code>=500` finds spans that carry `http.response.status_code`. Each group lists
 * the current name first, then the older names it replaced. A current name reads every older one;
 * an older name reads itself and the current one (two older names are not each other's aliases:
 * `net.peer.name` and `net.host.name` both became `server.address` but never meant the same thing).
 */
export const ATTRIBUTE_ALIAS_GROUPS: readonly (readonly string[])[] = [
  ["http.response.status_code", "http.status_code"],
  ["http.request.method", "http.method"],
  ["url.full", "http.url"],
  ["url.path", "http.target"],
  ["url.scheme", "http.scheme"],
  ["server.address", "net.peer.name", "net.host.name"],
  ["server.port", "net.peer.port", "net.host.port"],
  ["client.address", "http.client_ip"],
  ["network.peer.address", "net.sock.peer.addr"],
  ["network.peer.port", "net.sock.peer.port"],
  ["network.protocol.version", "http.flavor"],
  ["user_agent.original", "http.user_agent"],
  ["http.request.body.size", "http.request_content_length"],
  ["http.response.body.size", "http.response_content_length"],
  ["db.query.text", "db.statement"],
  ["db.system.name", "db.system"],
  ["db.namespace", "db.name"],
  ["db.operation.name", "db.operation"],
  ["db.collection.name", "db.sql.table", "db.mongodb.collection"],
  ["messaging.destination.name", "messaging.destination"],
  ["gen_ai.provider.name", "gen_ai.system"],
  ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
  ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
];

/**
 * How a query key reads one stored key. `http.target` held the path and the query string, which
 * `url.path` and `url.query` now hold apart: reading one for the other joins or cuts them.
 */
export interface AliasRead {
  key: string;
  /** "join-query": append `?` + the span's `url.query`; "cut-query": drop from the first `?`. */
  adapt?: "join-query" | "cut-query";
}

const READS = new Map<string, AliasRead[]>();
for (const [current, ...older] of ATTRIBUTE_ALIAS_GROUPS) {
  const name = current as string;
  READS.set(name, [{ key: name }, ...older.map((key) => ({ key }))]);
  for (const key of older) READS.set(key, [{ key }, { key: name }]);
}
(READS.get("url.path") as AliasRead[])[1] = { key: "http.target", adapt: "cut-query" };
(READS.get("http.target") as AliasRead[])[1] = { key: "url.path", adapt: "join-query" };

/** The stored keys a query for `key` reads, `key` itself first. */
export function aliasReadsOf(key: string): readonly AliasRead[] {
  return READS.get(key) ?? [{ key }];
}
