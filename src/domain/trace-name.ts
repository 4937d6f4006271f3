import { type Attributes, stringAttribute } from "./span.js";

/**
 * HTTP server instrumentations (Node's among them) name a request's span by its method alone, e.g.
 * "GET", and put the route in attributes; a list of traces all called "GET" says nothing. Also
 * matches the older client form "HTTP GET", and "HTTP", the semantic conventions' name for a request
 * whose method is not a known one.
 */
const BARE_METHOD_RE = /^(?:(?:HTTP )?(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|QUERY|_OTHER)|(HTTP))$/i;

/** Attributes of spans that are not HTTP whatever their name: a Redis `get`, a queue's `PUBLISH`… */
const NOT_HTTP_KEYS = ["db.system", "db.system.name", "messaging.system", "rpc.system"];

/** Whether a span's attributes name a database, messaging or RPC system: its name is a command, not a method. */
export function namesNonHttpSystem(attributes: Attributes): boolean {
  for (const key of NOT_HTTP_KEYS) if (attributes[key] !== undefined) return true;
  return false;
}

/**
 * "GET", "get", "HTTP GET" → "GET"; "HTTP" → "HTTP"; any other span name → undefined, and so is a
 * database, messaging or RPC span's (`attributes` naming its system), whose name is a command: Redis
 * instrumentations name a span `get` or `GET`.
 */
export function bareHttpMethod(name: string, attributes: Attributes): string | undefined {
  const match = BARE_METHOD_RE.exec(name);
  if (match === null) return undefined;
  return namesNonHttpSystem(attributes) ? undefined : ((match[1] ?? match[2]) as string).toUpperCase();
}

/** A path segment that is an id: a number, a UUID, a long hex string, or a long token with digits. */
const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[0-9a-f]*\d)[0-9a-f]{12,}|(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{20,})$/i;

/** What an id segment becomes in a templated path. */
export const ID_PLACEHOLDER = ":id";

/**
 * A path with its id segments as `:id` (`/users/42/orders/3f2a…` → `/users/:id/orders/:id`): one
 * name for every request to a route when only the path is known. The TraceKit Node SDK's Express
 * middleware, for one, writes the path itself into `http.route`.
 */
export function templatePath(path: string): string {
  if (!/\d/.test(path)) return path;
  return path
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? ID_PLACEHOLDER : segment))
    .join("/");
}

/** "GET /users/7": a span named by method and path, as the TraceKit Node SDK names its Express spans. */
const METHOD_AND_PATH_RE = /^(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|QUERY) (\/\S*)$/;

/** Where a server span's route was read from: `http.route`, or a path attribute when it has none. */
export interface RouteSource {
  key: string;
  /** The attribute's value as sent (a path, for `url.full`/`http.url` the whole URL). */
  value: string;
  /** The route, or the path with its ids templated (see templatePath). */
  route: string;
}

/** The route of a server span: `http.route`, else the path of `url.path` / `http.target` / `url.full`, ids templated. */
export function routeSourceOf(attributes: Attributes): RouteSource | undefined {
  for (const key of ["http.route", "url.path", "http.target", "url.full", "http.url"]) {
    const value = stringAttribute(attributes, key);
    if (value === undefined) continue;
    const path = key === "http.route" ? value : pathOf(value);
    return path === undefined ? undefined : { key, value, route: templatePath(path) };
  }
  return undefined;
}

/**
 * A server span's operation name: a bare method with a route (`http.route`, else the request's path)
 * becomes `GET /users/:id`; a name of method and path has its path's ids templated; every other name
 * stays. Paths hold ids: grouping by them as sent would make one group per request.
 */
export function routeNameOf(name: string, attributes: Attributes): string {
  const method = bareHttpMethod(name, attributes);
  if (method === undefined) {
    const named = METHOD_AND_PATH_RE.exec(name);
    return named === null ? name : `${named[1]} ${templatePath(named[2] as string)}`;
  }
  const source = routeSourceOf(attributes);
  return source === undefined ? name : `${method} ${source.route}`;
}

/** The path of a URL or request target, without query or fragment; undefined when it has none. */
function pathOf(target: string): string | undefined {
  let path = target;
  const scheme = path.indexOf("://");
  if (scheme !== -1) {
    const slash = path.indexOf("/", scheme + 3);
    path = slash === -1 ? "/" : path.slice(slash);
  }
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  return path === "" ? undefined : path;
}

/**
 * The name a trace is listed under, from its root (or earliest) span: the span's own name, except
 * that a bare HTTP method becomes method plus route (`GET /users/:id`), else method plus path
 * (from `url.path`, `http.target`, `url.full` or `http.url`), so the list and the `name=` filter read
 * like the app's routes. The span itself keeps its name.
 */
export function traceNameOf(name: string, attributes: Attributes): string {
  const method = bareHttpMethod(name, attributes);
  if (method === undefined) return name;
  const route = stringAttribute(attributes, "http.route");
  if (route !== undefined) return `${method} ${route}`;
  const target = stringAttribute(attributes, "url.path", "http.target", "url.full", "http.url");
  const path = target === undefined ? undefined : pathOf(target);
  return path === undefined ? name : `${method} ${path}`;
}
