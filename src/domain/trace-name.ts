import { type Attributes, stringAttribute } from "./span.js";

/**
 * HTTP server instrumentations (Node's among them) name a request's span by its method alone, e.g.
 * "GET", and put the route in attributes; a list of traces all called "GET" says nothing. Also
 * matches the older client form "HTTP GET".
 */
const BARE_METHOD_RE = /^(?:HTTP )?(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|QUERY|_OTHER)$/i;

/** "GET", "get", "HTTP GET" → "GET"; any other span name → undefined. */
export function bareHttpMethod(name: string): string | undefined {
  const match = BARE_METHOD_RE.exec(name);
  return match === null ? undefined : (match[1] as string).toUpperCase();
}

/**
 * A server span's name with the route rule of `traceNameOf` and without its path fallback: a bare
 * method with `http.route` becomes `GET /users/:id`; every other name stays. Paths hold ids, so
 * grouping by them would make one group per request.
 */
export function routeNameOf(name: string, attributes: Attributes): string {
  const method = bareHttpMethod(name);
  if (method === undefined) return name;
  const route = stringAttribute(attributes, "http.route");
  return route === undefined ? name : `${method} ${route}`;
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
  const method = bareHttpMethod(name);
  if (method === undefined) return name;
  const route = stringAttribute(attributes, "http.route");
  if (route !== undefined) return `${method} ${route}`;
  const target = stringAttribute(attributes, "url.path", "http.target", "url.full", "http.url");
  const path = target === undefined ? undefined : pathOf(target);
  return path === undefined ? name : `${method} ${path}`;
}
