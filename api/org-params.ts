import type { Request } from 'express';

/** Set by the parent route `/orgs/:orgId` and already validated by `requireOrgAccess`. */
export const orgIdOf = (req: Request) => (req.params as { orgId: string }).orgId;
