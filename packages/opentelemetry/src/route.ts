import type { Entry } from '@landed/client';

/** Names the route of a write (`/tickets/:id`) from its URL; `undefined` leaves it to the next rule. */
export type RouteNamer = (url: URL, entry: Entry) => string | undefined;

interface CompiledRoute {
  template: string;
  /** Each segment: a literal to equal, or `null` for a parameter (`:id`, `{id}`) that takes any one segment. */
  segments: Array<string | null>;
}

const splitPath = (path: string): string[] => path.split('/').filter((segment) => segment !== '');

const isParameter = (segment: string): boolean =>
  segment.startsWith(':') || (segment.startsWith('{') && segment.endsWith('}'));

function compile(template: string): CompiledRoute {
  return {
    template,
    segments: splitPath(template).map((segment) => (isParameter(segment) ? null : segment)),
  };
}

function matches(route: CompiledRoute, segments: readonly string[]): boolean {
  if (route.segments.length !== segments.length) return false;
  for (let i = 0; i < segments.length; i++) {
    const expected = route.segments[i];
    if (expected !== null && expected !== segments[i]) return false;
  }
  return true;
}

/**
 * The route template spans carry instead of the URL: the app's own namer first, then the first of
 * `templates` whose segments match the path (`:name` or `{name}` stands for one segment), and
 * otherwise the path alone. Never the query string or the fragment, which may carry tokens, and
 * never the user or password of the URL.
 */
export function routeResolver(
  templates: readonly string[] = [],
  namer?: RouteNamer,
): (entry: Entry) => string {
  const routes = templates.map(compile);
  return (entry) => {
    let url: URL;
    try {
      url = new URL(entry.url);
    } catch {
      return '/';
    }
    const named = namer?.(url, entry);
    if (typeof named === 'string' && named !== '') return named;
    const segments = splitPath(url.pathname);
    for (const route of routes) if (matches(route, segments)) return route.template;
    return url.pathname;
  };
}
