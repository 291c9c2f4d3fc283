// The mapping configuration and its rules: which picklist each setting draws from, how a change is checked against
// the catalog, and the health each mapping reports after a refresh. Pure functions: the callers bring the data.
import type { CompanyRow, ConfigurationRow, PicklistValueRow, TenantRow } from '../db/schema';

/** Each single-value setting and the Autotask picklist its values come from. */
export const SETTINGS = {
  queue: { picklist: 'Tickets.queueID', required: true, label: 'queue for new tickets' },
  creationStatus: { picklist: 'Tickets.status', required: true, label: 'status on creation' },
  updateStatus: { picklist: 'Tickets.status', required: true, label: 'status on updates' },
  resolutionStatus: { picklist: 'Tickets.status', required: false, label: 'status on resolution' },
  issueType: { picklist: 'Tickets.issueType', required: false, label: 'issue type' },
  subIssueType: { picklist: 'Tickets.subIssueType', required: false, label: 'sub-issue type' },
  source: { picklist: 'Tickets.source', required: false, label: 'source' },
  ticketType: { picklist: 'Tickets.ticketType', required: false, label: 'ticket type' },
  noteType: { picklist: 'TicketNotes.noteType', required: false, label: 'note type' },
  notePublish: { picklist: 'TicketNotes.publish', required: false, label: 'note publish level' },
} as const;
export type SettingName = keyof typeof SETTINGS;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
const PRIORITY_PICKLIST = 'Tickets.priority';
const priorityColumn = { low: 'priorityLow', medium: 'priorityMedium', high: 'priorityHigh', critical: 'priorityCritical' } as const;

export const REOPEN_POLICIES = ['reopen', 'new'] as const;
export type ReopenPolicy = (typeof REOPEN_POLICIES)[number];

export type Settings = Record<SettingName, number | null> & {
  priorities: Record<Severity, number | null>;
  /** The company for alerts of tenants that have no mapping; `null` makes them wait for one. */
  catchAllCompany: number | null;
  reopenPolicy: ReopenPolicy;
};

export interface ConfigurationPatch {
  tenants?: Record<string, number | null>;
  settings: Partial<Record<SettingName | 'catchAllCompany', number | null>> & {
    priorities?: Partial<Record<Severity, number | null>>;
    reopenPolicy?: ReopenPolicy;
  };
}

export type ValueHealth = 'ok' | 'value_inactive' | 'value_missing' | 'unset';
export type CompanyHealth = 'ok' | 'company_inactive' | 'company_missing' | 'unmapped';

export interface MappingProblem {
  field: string;
  message: string;
  allowed?: Array<{ value: number; label: string }>;
}

/** The catalog as the rules need it. */
export class Catalog {
  private readonly picklists = new Map<string, Map<number, PicklistValueRow>>();

  constructor(
    values: PicklistValueRow[],
    private readonly companies: Map<number, CompanyRow>,
  ) {
    for (const v of values) {
      const list = this.picklists.get(v.field) ?? new Map<number, PicklistValueRow>();
      list.set(v.value, v);
      this.picklists.set(v.field, list);
    }
  }

  value(picklist: string, value: number): PicklistValueRow | undefined {
    const found = this.picklists.get(picklist)?.get(value);
    return found?.present ? found : undefined;
  }

  /** What an admin may pick: active values still in Autotask (inactive ones stay known, for old tickets, but not offered). */
  choices(picklist: string, parent?: number | null): Array<{ value: number; label: string }> {
    return [...(this.picklists.get(picklist)?.values() ?? [])]
      .filter((v) => v.present && v.isActive && (parent === undefined || v.parentValue === parent))
      .map((v) => ({ value: v.value, label: v.label }));
  }

  valueHealth(picklist: string, value: number | null): ValueHealth {
    if (value === null) return 'unset';
    const found = this.value(picklist, value);
    return !found ? 'value_missing' : found.isActive ? 'ok' : 'value_inactive';
  }

  company(id: number): CompanyRow | undefined {
    const found = this.companies.get(id);
    return found?.present ? found : undefined;
  }

  companyHealth(id: number | null): CompanyHealth {
    if (id === null) return 'unmapped';
    const found = this.company(id);
    return !found ? 'company_missing' : found.isActive ? 'ok' : 'company_inactive';
  }
}

export function settingsOf(row: ConfigurationRow | undefined): Settings {
  const pick = (column: keyof ConfigurationRow) => ((row?.[column] as number | null | undefined) ?? null);
  return {
    queue: pick('queue'),
    creationStatus: pick('creationStatus'),
    updateStatus: pick('updateStatus'),
    resolutionStatus: pick('resolutionStatus'),
    issueType: pick('issueType'),
    subIssueType: pick('subIssueType'),
    source: pick('source'),
    ticketType: pick('ticketType'),
    noteType: pick('noteType'),
    notePublish: pick('notePublish'),
    catchAllCompany: pick('catchAllCompany'),
    reopenPolicy: row?.reopenPolicy ?? 'reopen',
    priorities: { low: pick('priorityLow'), medium: pick('priorityMedium'), high: pick('priorityHigh'), critical: pick('priorityCritical') },
  };
}

/** The settings as database columns. */
export function settingsColumns(settings: Settings) {
  const { priorities, ...single } = settings;
  return { ...single, ...Object.fromEntries(SEVERITIES.map((s) => [priorityColumn[s], priorities[s]])) } as Omit<
    ConfigurationRow,
    'orgId' | 'version' | 'updatedAt'
  >;
}

export function applyPatch(settings: Settings, patch: ConfigurationPatch['settings']): Settings {
  const { priorities, ...single } = patch;
  return { ...settings, ...single, priorities: { ...settings.priorities, ...priorities } };
}

/**
 * Checks the values a patch sets (unchanged ones may have gone inactive since; they report their health instead of
 * blocking an unrelated change). Returns every problem, each naming the field and what it may be.
 */
export function validatePatch(patch: ConfigurationPatch, next: Settings, catalog: Catalog, tenants: Map<string, TenantRow>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const check = (field: string, picklist: string, value: number | null | undefined, label: string, parent?: number | null) => {
    if (value === null || value === undefined) return;
    const found = catalog.value(picklist, value);
    const allowed = catalog.choices(picklist, parent);
    if (!found) problems.push({ field, message: `${value} is not a ${label} in Autotask`, allowed });
    else if (!found.isActive) problems.push({ field, message: `${label} ${value} (${found.label}) is inactive in Autotask`, allowed });
    else if (parent !== undefined && found.parentValue !== parent) {
      problems.push({
        field,
        message: parent === null ? `${label} ${value} needs its issue type (${found.parentValue}) to be set` : `${label} ${value} (${found.label}) does not belong to issue type ${parent}`,
        allowed,
      });
    }
  };

  const { priorities = {}, catchAllCompany, reopenPolicy: _policy, ...single } = patch.settings;
  for (const name of Object.keys(single) as SettingName[]) {
    if (name !== 'subIssueType') check(name, SETTINGS[name].picklist, single[name], SETTINGS[name].label);
  }
  if (catchAllCompany !== undefined && catchAllCompany !== null) checkCompany('catchAllCompany', catchAllCompany);
  for (const severity of Object.keys(priorities) as Severity[]) {
    check(`priorities.${severity}`, PRIORITY_PICKLIST, priorities[severity], `priority for ${severity} alerts`);
  }
  // A sub-issue type belongs to one issue type: check it whenever either of them changes.
  if ('subIssueType' in single || 'issueType' in single) {
    check('subIssueType', SETTINGS.subIssueType.picklist, next.subIssueType, SETTINGS.subIssueType.label, next.issueType);
  }

  for (const [tenantId, companyId] of Object.entries(patch.tenants ?? {})) {
    const field = `tenants.${tenantId}`;
    if (!tenants.has(tenantId)) problems.push({ field, message: `no tenant ${tenantId} is registered for this org` });
    else if (companyId !== null) checkCompany(field, companyId);
  }
  return problems;

  function checkCompany(field: string, companyId: number) {
    const company = catalog.company(companyId);
    if (!company) problems.push({ field, message: `${companyId} is not an Autotask company of this link; search GET …/autotask/catalog/companies` });
    else if (!company.isActive) problems.push({ field, message: `company ${companyId} (${company.name}) is inactive in Autotask` });
  }
}

/** The whole configuration with the health of each part, as the configuration page shows it. */
export function describeConfiguration(settings: Settings, catalog: Catalog, tenantRows: TenantRow[]) {
  const describe = (picklist: string, value: number | null, required: boolean) => ({
    value,
    label: value === null ? null : (catalog.value(picklist, value)?.label ?? null),
    health: catalog.valueHealth(picklist, value),
    required,
  });
  const settingsView = {
    ...Object.fromEntries((Object.keys(SETTINGS) as SettingName[]).map((name) => [name, describe(SETTINGS[name].picklist, settings[name], SETTINGS[name].required)])),
    priorities: Object.fromEntries(SEVERITIES.map((s) => [s, describe(PRIORITY_PICKLIST, settings.priorities[s], false)])),
  } as Record<SettingName, ReturnType<typeof describe>> & { priorities: Record<Severity, ReturnType<typeof describe>> };
  const catchAll = settings.catchAllCompany;
  const catchAllView = {
    value: catchAll,
    label: catchAll === null ? null : (catalog.company(catchAll)?.name ?? null),
    health: catalog.companyHealth(catchAll),
  };

  const tenantsView = tenantRows.map((t) => ({
    tenantId: t.tenantId,
    name: t.name,
    domains: t.domains,
    companyId: t.companyId,
    companyName: t.companyId === null ? null : (catalog.company(t.companyId)?.name ?? null),
    health: catalog.companyHealth(t.companyId),
  }));

  const settingViews = [...(Object.keys(SETTINGS) as SettingName[]).map((n) => settingsView[n]), ...SEVERITIES.map((s) => settingsView.priorities[s])];
  const settingsNeedingAttention =
    settingViews.filter((v) => (v.health === 'unset' ? v.required : v.health !== 'ok')).length + (catchAllView.health === 'ok' || catchAllView.health === 'unmapped' ? 0 : 1);
  const mapped = tenantsView.filter((t) => t.companyId !== null);
  return {
    tenants: tenantsView,
    settings: { ...settingsView, catchAllCompany: catchAllView, reopenPolicy: settings.reopenPolicy },
    summary: {
      tenants: tenantsView.length,
      mapped: mapped.length,
      unmapped: tenantsView.length - mapped.length,
      tenantsNeedingAttention: mapped.filter((t) => t.health !== 'ok').length,
      settingsNeedingAttention,
    },
  };
}
