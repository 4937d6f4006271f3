import { type Attributes, stringAttribute } from "./span.js";

/**
 * HTTP server instrumentations (Node's among them) name a request's span by its method alone, e.g.
 * "GET", and put the route in attributes; a list of traces all called "GET" says nothing. Also
 * matches the older client form "HTTP GET".
 */
const BARE_METHOD_RE = /^(?:HTTP )?(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|QUERY|_OTHER)$/i;

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
  const match = BARE_METHOD_RE.exec(name);
  if (match === null) return name;
  const method = (match[1] as string).toUpperCase();
  const route = stringAttribute(attributes, "http.route");
  if (route !== undefined) return `${method} ${route}`;
  const target = stringAttribute(attributes, "url.path", "http.target", "url.full", "http.url");
  const path = target === undefined ? undefined : pathOf(target);
  return path === undefined ? name : `${method} ${path}`;
}
