import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError, invalidInput } from './errors';
import { orgIdSchema } from './schemas';

/** Whose calls a token may make: one org id, or `*` for Petra's own services. */
export type TokenScope = string;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Bearer-token authentication. Tokens are looked up by digest, so the lookup's timing says nothing about a token's
 * characters. Sets `res.locals.scope`.
 */
export function authenticate(tokens: Map<string, TokenScope>): RequestHandler {
  const byDigest = new Map([...tokens].map(([token, scope]) => [digest(token), scope]));
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const scope = match ? byDigest.get(digest(match[1]!)) : undefined;
    if (!scope) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Send a valid API token as "Authorization: Bearer <token>"');
    }
    res.locals.scope = scope;
    next();
  };
}

/** Checks the org id in the path and refuses a token scoped to another org. */
export const requireOrgAccess: RequestHandler = (req, res, next) => {
  const orgId = orgIdSchema.safeParse(req.params.orgId);
  if (!orgId.success) throw invalidInput('org id in the path', orgId.error);
  const scope = res.locals.scope as TokenScope;
  if (scope !== '*' && scope !== req.params.orgId) {
    throw new HttpError(403, 'forbidden', 'This API token is not allowed to access this organization');
  }
  next();
};
