/** Simulated API user accounts and their per-entity permissions. */
import type { EntityMeta } from './entities';
import type { Ctx } from './routing';
import type { EntityAccess, SimulatorAccount } from './types';
import { fail } from './wire';

export type Account = Required<Omit<SimulatorAccount, 'permissions'>> & Pick<SimulatorAccount, 'permissions'>;

export function normalizeAccount(account: SimulatorAccount): Account {
  return {
    ...account,
    zone: account.zone ?? 'ws5',
    active: account.active ?? true,
    apiSecurityLevel: account.apiSecurityLevel ?? true,
    database: account.database ?? 1,
  };
}

/**
 * The swagger leaves RestUserAccessLevel as an empty object, so its wire form is unknown. We answer
 * "All" when the account may perform the action and "None" when it may not.
 */
export function userAccess(account: Account | null, entity: EntityMeta, access: EntityAccess): 'All' | 'None' {
  return account && isAllowed(account, entity, access) ? 'All' : 'None';
}

function isAllowed(account: Account, entity: EntityMeta, access: EntityAccess): boolean {
  const names = [entity.endpoint.toLowerCase(), entity.name.toLowerCase()];
  const entry = Object.entries(account.permissions ?? {}).find(([key]) => names.includes(key.toLowerCase()));
  return entry?.[1][access] !== false;
}

export function requireAccess(ctx: Ctx, entity: EntityMeta, access: EntityAccess): void {
  if (!ctx.account || !isAllowed(ctx.account, entity, access)) {
    fail(403, `The API user does not have permission to ${access} ${entity.name} entities.`);
  }
}
