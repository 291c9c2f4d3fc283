/** Routing: endpoint and route tables, path matching, request parsing. */
import type http from 'node:http';
import type { Account } from './accounts';
import { methodNotAllowed, NOT_FOUND, type Reply } from './wire';

export interface Ctx {
  /** numeric path parameters, e.g. { id: 42 } for route "Companies/:id" */
  params: Record<string, number>;
  /** null on unauthenticated endpoints */
  account: Account | null;
  /** `${baseUrl}/${zone}/ATServicesRest/` */
  apiBase: string;
  /** query-string parameter, name matched case-insensitively */
  param(name: string): string | undefined;
  /** parsed JSON body; undefined when the body is empty */
  json(): unknown;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  /** path segments after the endpoint; ":name" matches a non-negative integer */
  path: string[];
  handler: Handler;
}

export interface Endpoint {
  /** canonical segment after "V1.0"; also the thread-limit bucket */
  name: string;
  authenticated: boolean;
  routes: Route[];
}

export const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  path: path.split('/').filter(Boolean),
  handler,
});

type RouteMatch = { route: Route; params: Record<string, number> } | { reply: Reply };

export function matchRoute(routes: Route[], method: string, segments: string[]): RouteMatch {
  let pathMatched = false;
  for (const candidate of routes) {
    if (candidate.path.length !== segments.length) continue;
    const params: Record<string, number> = {};
    const matches = candidate.path.every((part, i) => {
      if (!part.startsWith(':')) return part.toLowerCase() === segments[i].toLowerCase();
      if (!/^\d+$/.test(segments[i])) return false;
      params[part.slice(1)] = Number(segments[i]);
      return true;
    });
    if (!matches) continue;
    pathMatched = true;
    if (candidate.method === method) return { route: candidate, params };
  }
  return { reply: pathMatched ? methodNotAllowed(method) : NOT_FOUND };
}

/** `/ws5/ATServicesRest/V1.0/Version` → zone "ws5", segments ["V1.0","Version"]; segments null when not an API path. */
export function parseTarget(pathname: string): { zone: string | null; path: string; segments: string[] | null } {
  const parts = pathname.split('/').filter(Boolean);
  const zoned = parts.length > 0 && parts[0].toLowerCase() !== 'atservicesrest';
  const rest = zoned ? parts.slice(1) : parts;
  if (rest[0]?.toLowerCase() !== 'atservicesrest') return { zone: null, path: pathname, segments: null };
  const segments = rest.slice(1);
  return { zone: zoned ? parts[0] : null, path: `/${segments.join('/')}`, segments };
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function searchParam(params: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of params) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Resolves with the body, or null when it exceeds the limit (the rest is drained so the 413 can be answered cleanly). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
