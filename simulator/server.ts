/**
 * HTTP simulator of the Autotask PSA REST API (ATServicesRest V1.0), for tests over real HTTP.
 *
 * Shapes and quirks follow /work/shared/autotask/API.md (zone discovery, empty 401s, 500 error
 * bodies, POST-bound paging cursors, per-(integration code, endpoint) thread limit, hourly
 * request threshold). Every zone is served from one port under a path prefix:
 * `${baseUrl}/ws5/ATServicesRest/V1.0/...`.
 *
 * Routing is a table of endpoints (the path segment after `V1.0`, which is also the thread-limit
 * bucket), each with its own routes; new entities add an entry to `buildEndpoints`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Public types

export type EntityAccess = 'query' | 'create' | 'update' | 'delete';

export interface SimulatorAccount {
  username: string;
  secret: string;
  integrationCode: string;
  /** zone key, default "ws5" */
  zone?: string;
  /** default true; inactive → 403 on every authenticated call */
  active?: boolean;
  /** default true; false → empty 401 (API-only security level required) */
  apiSecurityLevel?: boolean;
  /** per entity permissions (keyed by "Companies" or "Company", case-insensitive); a missing entry or flag means allowed */
  permissions?: Record<string, Partial<Record<EntityAccess, boolean>>>;
  /** Autotask database id ("ci"), default 1; the hourly counter is per database */
  database?: number;
}

export interface FaultRule {
  /** matched against the path after the zone prefix (e.g. "/V1.0/Version"); string = case-insensitive substring. Omitted = every request */
  path?: string | RegExp;
  method?: string;
  /** how many matching requests this rule applies to; default Infinity */
  times?: number;
  /** delay before answering; without status/drop the delay runs while the request holds a thread slot */
  latencyMs?: number;
  /** answer with this status before auth: 5xx → {"errors":["Simulated server error"]}, 429 → thread-limit body */
  status?: number;
  /** overrides the body for status */
  body?: unknown;
  /** destroy the socket without answering (after latencyMs) */
  drop?: boolean;
}

/** `status` is 0 for dropped connections. `path` is the path after the zone prefix, without query string. */
export interface RecordedCall {
  method: string;
  path: string;
  zone: string | null;
  username: string | null;
  status: number;
  startedAt: number;
  endedAt: number;
}

export interface UserDefinedFieldValue {
  name: string;
  value: string;
}

/** The main fields of the swagger CompanyModel; unset text is "" and unset numbers null, as the real API answers. */
export interface CompanyRecord {
  id: number;
  companyName: string;
  companyNumber: string;
  /** picklist: 1 Customer, 2 Lead, 3 Prospect, 4 Dead, 6 Cancellation, 7 Vendor, 8 Partner */
  companyType: number;
  isActive: boolean;
  phone: string;
  webAddress: string;
  address1: string;
  city: string;
  state: string;
  postalCode: string;
  countryID: number | null;
  ownerResourceID: number | null;
  parentCompanyID: number | null;
  createDate: string;
  lastActivityDate: string | null;
  lastTrackedModifiedDateTime: string;
  userDefinedFields: UserDefinedFieldValue[];
}

export type SimulatedCompany = Partial<CompanyRecord> & Pick<CompanyRecord, 'id' | 'companyName'>;

export interface AutotaskSimulator {
  /** e.g. "http://127.0.0.1:PORT" */
  baseUrl: string;
  /** `${baseUrl}/ATServicesRest/V1.0/zoneInformation` */
  zoneLookupUrl: string;
  /** adds or replaces the account with this username */
  addAccount(account: SimulatorAccount): void;
  /** throws for an unknown username */
  updateAccount(username: string, patch: Partial<SimulatorAccount>): void;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** every request received, in order of arrival (recorded when answered or dropped) */
  readonly calls: RecordedCall[];
  callsTo(pathSubstring: string): RecordedCall[];
  /** requests received and not answered yet (case-insensitive path substring) */
  callsInFlight(pathSubstring: string): number;
  /** maximum number of concurrent admitted requests seen per `${integrationCode}:${endpoint}` */
  peakConcurrency(): Record<string, number>;
  /** clears `calls` and restarts the peaks from the current in-flight counts */
  resetCalls(): void;
  /** replaces all companies; lastTrackedModifiedDateTime defaults to now when not given */
  setCompanies(list: SimulatedCompany[]): void;
  /** merges into the existing company (or creates it) and stamps lastTrackedModifiedDateTime with now */
  upsertCompany(company: SimulatedCompany): CompanyRecord;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** concurrent requests per (integration code, endpoint); default 3 */
  threadLimit?: number;
  /** requests per database per rolling 60 minutes; default 10000 */
  hourlyThreshold?: number;
  companies?: SimulatedCompany[];
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

interface Reply {
  status: number;
  /** undefined → empty body */
  body?: unknown;
}

/** Thrown by handlers to answer with a specific reply. */
class ApiError extends Error {
  constructor(readonly reply: Reply) {
    super(`Autotask simulator reply ${reply.status}`);
  }
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const errorReply = (status: number, message: string): Reply => ({ status, body: { errors: [message] } });
const fail = (status: number, message: string): never => {
  throw new ApiError(errorReply(status, message));
};
const NOT_FOUND: Reply = { status: 404, body: { message: 'Not Found' } };
const methodNotAllowed = (method: string): Reply => ({
  status: 405,
  body: { Message: `The requested resource does not support http method '${method}'.` },
});
const PARSE_ERROR = 'Unexpected character encountered while parsing value';
const QUERY_MODEL_NULL = 'Value cannot be null.\r\nParameter name: queryModel';
const MAX_BODY_BYTES = 1024 * 1024;
const HOUR_MS = 60 * 60 * 1000;

const threadLimitReply = (limit: number): Reply =>
  errorReply(429, `API thread threshold of ${limit} threads has been exceeded. (Itgenatr005)`);

/** Object property lookup ignoring case, because Autotask accepts `Filter`, `filter`, `MaxRecords`, `maxRecords`... */
function getKey(obj: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(obj)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(500, PARSE_ERROR);
  }
}

/** ISO-8601 UTC with 0–3 fractional digits, like the real API ("…45.2Z", "…00Z"). */
function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Autotask treats datetimes without a zone designator as UTC. */
function parseInstant(text: string): number | undefined {
  const hasZone = /(z|[+-]\d\d:?\d\d)$/i.test(text.trim());
  const ms = Date.parse(hasZone || !text.includes('T') ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Unref'd: a simulated minute-long answer must not keep a finished test process alive. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

// ---------------------------------------------------------------------------------------------
// Entities: metadata, field schemas, picklists

type FieldType = 'integer' | 'long' | 'decimal' | 'string' | 'boolean' | 'datetime';

interface EntityMeta {
  /** URL segment and thread-limit bucket, e.g. "Companies" */
  endpoint: string;
  /** singular name used by entityInformation and error texts, e.g. "Company" */
  name: string;
  can: Record<EntityAccess, boolean>;
  hasUserDefinedFields: boolean;
  supportsWebhookCallouts: boolean;
}

const COMPANY: EntityMeta = {
  endpoint: 'Companies',
  name: 'Company',
  can: { create: true, query: true, update: true, delete: false },
  hasUserDefinedFields: true,
  supportsWebhookCallouts: true,
};
const TICKET: EntityMeta = {
  endpoint: 'Tickets',
  name: 'Ticket',
  can: { create: true, query: true, update: true, delete: false },
  hasUserDefinedFields: true,
  supportsWebhookCallouts: true,
};
const TICKET_NOTE: EntityMeta = {
  endpoint: 'TicketNotes',
  name: 'TicketNote',
  can: { create: true, query: true, update: true, delete: false },
  hasUserDefinedFields: false,
  supportsWebhookCallouts: true,
};

/** Builds a field-name → type schema from space-separated name lists (names as in the swagger model). */
function schema(groups: Partial<Record<FieldType, string>>): Map<string, { name: string; type: FieldType }> {
  const fields = new Map<string, { name: string; type: FieldType }>();
  for (const [type, names] of Object.entries(groups) as [FieldType, string][]) {
    for (const name of names.split(/\s+/).filter(Boolean)) fields.set(name.toLowerCase(), { name, type });
  }
  return fields;
}

/** All 61 queryable CompanyModel fields, so filters on fields the simulator leaves unset behave like on the real API. */
const COMPANY_SCHEMA = schema({
  long: 'id',
  string:
    'additionalAddressInformation address1 address2 alternatePhone1 alternatePhone2 billToAdditionalAddressInformation ' +
    'billingAddress1 billingAddress2 billToAttention billToCity billToState billToZipCode city companyName companyNumber ' +
    'fax phone postalCode sicCode state stockMarket stockSymbol taxID webAddress',
  integer:
    'apiVendorID billToCompanyLocationID billToAddressToUse billToCountryID classification companyCategoryID companyType ' +
    'competitorID countryID createdByResourceID currencyID impersonatorCreatorResourceID invoiceEmailMessageID invoiceMethod ' +
    'invoiceTemplateID marketSegmentID ownerResourceID parentCompanyID purchaseOrderTemplateID quoteEmailMessageID ' +
    'quoteTemplateID taxRegionID territoryID',
  decimal: 'assetValue surveyCompanyRating',
  datetime: 'createDate lastActivityDate lastTrackedModifiedDateTime',
  boolean:
    'invoiceNonContractItemsToParentCompany isActive isClientPortalActive isEnabledForComanaged isSample isTaskFireActive isTaxExempt',
});

interface PicklistValue {
  value: string;
  label: string;
  isDefaultValue: boolean;
  sortOrder: number;
  parentValue: string;
  isActive: boolean;
  isSystem: boolean;
}
type PickSpec = [value: number, label: string, flags?: { default?: true; inactive?: true; custom?: true; parent?: number }];

/** Picklist values are strings on the wire even for integer fields. */
function picklist(specs: PickSpec[]): PicklistValue[] {
  return specs.map(([value, label, flags = {}], index) => ({
    value: String(value),
    label,
    isDefaultValue: flags.default === true,
    sortOrder: index + 1,
    parentValue: flags.parent === undefined ? '' : String(flags.parent),
    isActive: flags.inactive !== true,
    isSystem: flags.custom !== true,
  }));
}

interface FieldOptions {
  length?: number;
  required?: boolean;
  readOnly?: boolean;
  reference?: string;
  picklist?: PicklistValue[];
  parentField?: string;
}

function fieldInfo(name: string, dataType: FieldType, o: FieldOptions = {}) {
  return {
    name,
    dataType,
    length: o.length ?? 0,
    isRequired: o.required ?? false,
    isReadOnly: o.readOnly ?? false,
    isQueryable: true,
    isReference: o.reference !== undefined,
    referenceEntityType: o.reference ?? '',
    isPickList: o.picklist !== undefined,
    picklistValues: o.picklist ?? null,
    picklistParentValueField: o.parentField ?? '',
    isSupportedWebhookField: false,
  };
}

/** A small tenant-like subset of Tickets/entityInformation/fields: system and custom values, some inactive, a dependent picklist. */
const TICKET_FIELDS = [
  fieldInfo('id', 'long', { readOnly: true }),
  fieldInfo('title', 'string', { length: 255, required: true }),
  fieldInfo('description', 'string', { length: 8000 }),
  fieldInfo('companyID', 'integer', { required: true, reference: 'Company' }),
  fieldInfo('contactID', 'integer', { reference: 'Contact' }),
  fieldInfo('assignedResourceID', 'integer', { reference: 'Resource' }),
  fieldInfo('externalID', 'string', { length: 50 }),
  fieldInfo('dueDateTime', 'datetime', { required: true }),
  fieldInfo('createDate', 'datetime', { readOnly: true }),
  fieldInfo('lastTrackedModifiedDateTime', 'datetime', { readOnly: true }),
  fieldInfo('status', 'integer', {
    required: true,
    picklist: picklist([
      [1, 'New', { default: true }],
      [5, 'Complete'],
      [7, 'Waiting Customer'],
      [8, 'In Progress'],
      [9, 'Waiting Materials', { custom: true }],
      [13, 'Waiting Vendor', { custom: true }],
      [14, 'Legacy Review', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('priority', 'integer', {
    required: true,
    picklist: picklist([
      [1, 'Critical'],
      [2, 'Medium', { default: true }],
      [3, 'Low'],
      [5, 'High'],
      [6, 'Urgent', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('queueID', 'integer', {
    picklist: picklist([
      [5, 'Client Portal'],
      [6, 'Post Sale'],
      [8, 'Monitoring Alert'],
      [29682969, 'Level I Support', { custom: true }],
      [29682970, 'Level II Support', { custom: true }],
      [29682971, 'Old Projects Queue', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('issueType', 'integer', {
    picklist: picklist([
      [4, 'Hardware', { custom: true }],
      [5, 'Software', { custom: true }],
      [6, 'Network', { custom: true }],
      [7, 'Legacy Systems', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('subIssueType', 'integer', {
    parentField: 'IssueType',
    picklist: picklist([
      [11, 'Laptop', { custom: true, parent: 4 }],
      [12, 'Printer', { custom: true, parent: 4 }],
      [13, 'Server', { custom: true, parent: 4 }],
      [14, 'Microsoft 365', { custom: true, parent: 5 }],
      [15, 'Line-of-business application', { custom: true, parent: 5 }],
      [16, 'Old ERP', { custom: true, parent: 5, inactive: true }],
      [17, 'VPN', { custom: true, parent: 6 }],
      [18, 'Wi-Fi', { custom: true, parent: 6 }],
    ]),
  }),
  fieldInfo('source', 'integer', {
    picklist: picklist([
      [-2, 'Insourced'],
      [-1, 'Client Portal'],
      [1, 'Other'],
      [2, 'Phone'],
      [4, 'Email', { custom: true }],
      [6, 'Fax', { custom: true, inactive: true }],
    ]),
  }),
  fieldInfo('ticketType', 'integer', {
    picklist: picklist([
      [1, 'Service Request', { default: true }],
      [2, 'Incident'],
      [3, 'Problem'],
      [4, 'Change Request'],
      [5, 'Alert'],
    ]),
  }),
  fieldInfo('ticketCategory', 'integer', {
    picklist: picklist([
      [3, 'Standard', { default: true }],
      [4, 'Field Service', { custom: true }],
      [5, 'Legacy Category', { custom: true, inactive: true }],
    ]),
  }),
];

const ZONE_NAMES: Record<string, string> = {
  ws1: 'America East',
  ws5: 'America West',
  ws6: 'Pre-Release',
  ws14: 'EMEA',
};

// ---------------------------------------------------------------------------------------------
// Query engine

/** Records as the query engine sees them; field values are read by canonical (camelCase) name. */
type Row = { id: number; userDefinedFields?: UserDefinedFieldValue[] };

interface QueryableStore {
  entity: EntityMeta;
  fields: Map<string, { name: string; type: FieldType }>;
  /** all rows, ordered by id ascending */
  rows(): Row[];
  get(id: number): Row | undefined;
}

interface QueryModel {
  filter: unknown[];
  maxRecords: number;
  /** canonical field names, or null for every field */
  includeFields: string[] | null;
}

const MAX_PAGE = 500;
const MAX_OR_CONDITIONS = 500;

function parseQueryModel(raw: unknown, store: QueryableStore): QueryModel {
  if (!isObject(raw)) return fail(500, QUERY_MODEL_NULL);
  const filter = getKey(raw, 'filter');
  if (!Array.isArray(filter) || filter.length === 0) return fail(500, 'A query filter is required.');
  const requested = Number(getKey(raw, 'maxRecords'));
  const maxRecords = Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_PAGE) : MAX_PAGE;
  const include = getKey(raw, 'includeFields');
  // Unknown IncludeFields names are treated as UDF names (the API allows those); they only select UDF values.
  const includeFields =
    Array.isArray(include) && include.length > 0 ? include.map((f) => store.fields.get(String(f).toLowerCase())?.name ?? String(f)) : null;
  return { filter, maxRecords, includeFields };
}

/** Comparable form of a value: numbers (booleans as 0/1, datetimes as epoch ms), lower-cased strings, null, or undefined when it cannot convert. */
function coerce(value: unknown, type: FieldType): number | string | null | undefined {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
    case 'long':
    case 'decimal': {
      if (typeof value === 'boolean') return value ? 1 : 0;
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean': {
      const text = String(value).toLowerCase();
      return text === 'true' || text === '1' ? 1 : text === 'false' || text === '0' ? 0 : undefined;
    }
    case 'datetime':
      return typeof value === 'string' ? parseInstant(value) : undefined;
    case 'string':
      return typeof value === 'object' ? undefined : String(value).toLowerCase();
  }
}

function conversionError(value: unknown, type: FieldType): never {
  const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (type === 'datetime') return fail(500, `String '${shown}' was not recognized as a valid DateTime.`);
  return fail(500, `Conversion failed when converting the value '${shown}' to data type ${type === 'string' ? 'nvarchar' : type === 'boolean' ? 'bit' : 'int'}.`);
}

type Predicate = (row: Row) => boolean;

interface CompileState {
  orConditions: number;
  udfFields: Set<string>;
}

/** Validates the filter up front (so errors surface even when no row would be tested) and returns a predicate; top-level items are ANDed. */
function compileFilter(filter: unknown[], store: QueryableStore): Predicate {
  const state: CompileState = { orConditions: 0, udfFields: new Set() };
  const predicates = filter.map((node) => compileNode(node, store, state));
  if (state.orConditions > MAX_OR_CONDITIONS) {
    fail(500, "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.");
  }
  if (state.udfFields.size > 1) fail(500, 'Only one user-defined field may be used in a query.');
  return (row) => predicates.every((p) => p(row));
}

function compileNode(node: unknown, store: QueryableStore, state: CompileState): Predicate {
  if (!isObject(node)) return fail(500, 'Invalid query filter.');
  const op = String(getKey(node, 'op') ?? '').toLowerCase();

  if (op === 'and' || op === 'or') {
    const items = getKey(node, 'items');
    if (!Array.isArray(items) || items.length === 0) return fail(500, `Operator '${op}' requires a non-empty items array.`);
    const children = items.map((child) => compileNode(child, store, state));
    if (op === 'and') return (row) => children.every((p) => p(row));
    state.orConditions += children.length;
    return (row) => children.some((p) => p(row));
  }

  const fieldName = getKey(node, 'field');
  if (typeof fieldName !== 'string' || fieldName === '') return fail(500, `Operator '${op}' requires a field.`);
  let type: FieldType;
  let read: (row: Row) => unknown;
  if (getKey(node, 'udf') === true) {
    const udf = fieldName.toLowerCase();
    state.udfFields.add(udf);
    type = 'string'; // UDF values are always strings on the wire
    read = (row) => row.userDefinedFields?.find((f) => f.name.toLowerCase() === udf)?.value ?? null;
  } else {
    const field = store.fields.get(fieldName.toLowerCase());
    if (!field) return fail(500, `Unable to find ${fieldName} in the ${store.entity.name} Entity.`);
    type = field.type;
    read = (row) => (row as Record<string, unknown>)[field.name];
  }
  const current = (row: Row) => coerce(read(row), type) ?? null;
  const value = getKey(node, 'value');
  const convert = (raw: unknown): number | string | null => {
    const converted = coerce(raw, type);
    return converted === undefined ? conversionError(raw, type) : converted;
  };

  switch (op) {
    case 'exist':
      return (row) => current(row) !== null;
    case 'notexist':
      return (row) => current(row) === null;
    case 'in':
    case 'notin': {
      if (!Array.isArray(value)) return fail(500, `Operator '${op}' requires an array value.`);
      state.orConditions += value.length;
      const set = new Set(value.map(convert));
      // SQL semantics: NULL is neither in nor not in a list.
      return op === 'in'
        ? (row) => { const v = current(row); return v !== null && set.has(v); }
        : (row) => { const v = current(row); return v !== null && !set.has(v); };
    }
    case 'beginswith':
    case 'endswith':
    case 'contains': {
      if (value === null || value === undefined || typeof value === 'object') return conversionError(value, 'string');
      const needle = String(value).toLowerCase();
      return (row) => {
        const v = read(row);
        if (v === null || v === undefined) return false;
        const text = String(v).toLowerCase();
        return op === 'beginswith' ? text.startsWith(needle) : op === 'endswith' ? text.endsWith(needle) : text.includes(needle);
      };
    }
    case 'eq':
    case 'noteq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const t = convert(value);
      // SQL semantics: comparisons involving NULL never match.
      if (t === null) return () => false;
      const compare = (v: number | string) =>
        op === 'eq' ? v === t : op === 'noteq' ? v !== t : op === 'gt' ? v > t : op === 'gte' ? v >= t : op === 'lt' ? v < t : v <= t;
      return (row) => {
        const v = current(row);
        return v !== null && compare(v);
      };
    }
    default:
      return fail(500, `Invalid query operator '${String(getKey(node, 'op'))}'.`);
  }
}

function project(row: Row, includeFields: string[] | null, store: QueryableStore): Record<string, unknown> {
  const udfs = (row.userDefinedFields ?? []).map((u) => ({ ...u }));
  if (!includeFields) return { ...row, userDefinedFields: udfs };
  const out: Record<string, unknown> = {};
  const wanted = new Set(includeFields.map((f) => f.toLowerCase()));
  for (const name of includeFields) {
    if (store.fields.has(name.toLowerCase())) out[name] = (row as Record<string, unknown>)[name] ?? null;
  }
  // userDefinedFields always appears, holding only the UDFs that were asked for.
  out.userDefinedFields = udfs.filter((u) => wanted.has(u.name.toLowerCase()));
  return out;
}

/** The `paging` parameter of nextPageUrl/prevPageUrl: a page starts at id nextIds[0]; previousIds are earlier pages' starts (-1 = the first page). */
interface Cursor {
  pageSize: number;
  previousIds: number[];
  nextIds: number[];
}

function parseCursor(text: string | undefined): Cursor {
  const raw = text === undefined ? undefined : parseJson(text);
  if (!isObject(raw)) return fail(500, 'Invalid paging parameter.');
  const pageSize = Number(getKey(raw, 'pageSize'));
  const previousIds = getKey(raw, 'previousIds');
  const nextIds = getKey(raw, 'nextIds');
  const ints = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isInteger(n));
  if (!Number.isInteger(pageSize) || pageSize < 1 || !ints(previousIds) || !ints(nextIds) || nextIds.length === 0) {
    return fail(500, 'Invalid paging parameter.');
  }
  return { pageSize: Math.min(pageSize, MAX_PAGE), previousIds, nextIds };
}

// ---------------------------------------------------------------------------------------------
// Companies

class CompanyStore implements QueryableStore {
  readonly entity = COMPANY;
  readonly fields = COMPANY_SCHEMA;
  private readonly byId = new Map<number, CompanyRecord>();
  private lastStamp = 0;

  rows(): Row[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): Row | undefined {
    return this.byId.get(id);
  }

  /** One stamp for the whole set, like a bulk import. */
  replaceAll(list: SimulatedCompany[]): void {
    const now = this.stamp();
    this.byId.clear();
    for (const company of list) this.byId.set(company.id, this.build(company, undefined, now));
  }

  upsert(company: SimulatedCompany): CompanyRecord {
    const stored = this.build(company, this.byId.get(company.id), this.stamp(), true);
    this.byId.set(stored.id, stored);
    return structuredClone(stored);
  }

  /** Strictly increasing, so an incremental sync using `gt lastTrackedModifiedDateTime` never misses two edits in the same millisecond. */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return formatTimestamp(this.lastStamp);
  }

  private build(input: SimulatedCompany, existing: CompanyRecord | undefined, now: string, forceStamp = false): CompanyRecord {
    const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SimulatedCompany;
    const base: CompanyRecord = existing ?? {
      id: input.id,
      companyName: input.companyName,
      companyNumber: String(input.id),
      companyType: 1,
      isActive: true,
      phone: '',
      webAddress: '',
      address1: '',
      city: '',
      state: '',
      postalCode: '',
      countryID: null,
      ownerResourceID: null,
      parentCompanyID: null,
      createDate: now,
      lastActivityDate: null,
      lastTrackedModifiedDateTime: now,
      userDefinedFields: [],
    };
    const merged: CompanyRecord = structuredClone({ ...base, ...given });
    if (forceStamp || given.lastTrackedModifiedDateTime === undefined) merged.lastTrackedModifiedDateTime = now;
    return merged;
  }
}

// ---------------------------------------------------------------------------------------------
// Routing

interface Ctx {
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

type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

interface Route {
  method: string;
  /** path segments after the endpoint; ":name" matches a non-negative integer */
  path: string[];
  handler: Handler;
}

interface Endpoint {
  /** canonical segment after "V1.0"; also the thread-limit bucket */
  name: string;
  authenticated: boolean;
  routes: Route[];
}

const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  path: path.split('/').filter(Boolean),
  handler,
});

type RouteMatch = { route: Route; params: Record<string, number> } | { reply: Reply };

function matchRoute(routes: Route[], method: string, segments: string[]): RouteMatch {
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
function parseTarget(pathname: string): { zone: string | null; path: string; segments: string[] | null } {
  const parts = pathname.split('/').filter(Boolean);
  const zoned = parts.length > 0 && parts[0].toLowerCase() !== 'atservicesrest';
  const rest = zoned ? parts.slice(1) : parts;
  if (rest[0]?.toLowerCase() !== 'atservicesrest') return { zone: null, path: pathname, segments: null };
  const segments = rest.slice(1);
  return { zone: zoned ? parts[0] : null, path: `/${segments.join('/')}`, segments };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function searchParam(params: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of params) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Resolves with the body, or null when it exceeds the limit (the rest is drained so the 413 can be answered cleanly). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
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

// ---------------------------------------------------------------------------------------------
// Simulator

type Account = Required<Omit<SimulatorAccount, 'permissions'>> & Pick<SimulatorAccount, 'permissions'>;

function normalizeAccount(account: SimulatorAccount): Account {
  return {
    ...account,
    zone: account.zone ?? 'ws5',
    active: account.active ?? true,
    apiSecurityLevel: account.apiSecurityLevel ?? true,
    database: account.database ?? 1,
  };
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The swagger leaves RestUserAccessLevel as an empty object, so its wire form is unknown. We answer
 * "All" when the account may perform the action and "None" when it may not.
 */
function userAccess(account: Account | null, entity: EntityMeta, access: EntityAccess): 'All' | 'None' {
  return account && isAllowed(account, entity, access) ? 'All' : 'None';
}

function isAllowed(account: Account, entity: EntityMeta, access: EntityAccess): boolean {
  const names = [entity.endpoint.toLowerCase(), entity.name.toLowerCase()];
  const entry = Object.entries(account.permissions ?? {}).find(([key]) => names.includes(key.toLowerCase()));
  return entry?.[1][access] !== false;
}

function requireAccess(ctx: Ctx, entity: EntityMeta, access: EntityAccess): void {
  if (!ctx.account || !isAllowed(ctx.account, entity, access)) {
    fail(403, `The API user does not have permission to ${access} ${entity.name} entities.`);
  }
}

class Simulator implements AutotaskSimulator {
  baseUrl = '';
  zoneLookupUrl = '';
  readonly calls: RecordedCall[] = [];

  private readonly server: http.Server;
  private readonly threadLimit: number;
  private readonly hourlyThreshold: number;
  private readonly accounts = new Map<string, Account>();
  private readonly faults: { rule: FaultRule; remaining: number }[] = [];
  private readonly companies = new CompanyStore();
  private readonly endpoints: Map<string, Endpoint>;
  /** arrival sequence numbers parallel to `calls`, to keep it in arrival order */
  private readonly callSeqs: number[] = [];
  private nextSeq = 0;
  private readonly inFlight = new Map<string, number>();
  /** requests received and not yet answered */
  private readonly unanswered = new Set<RecordedCall>();
  private readonly peaks = new Map<string, number>();
  /** request timestamps per database inside the rolling hour */
  private readonly hourly = new Map<number, number[]>();
  /** `paging\nsearch` of cursors issued by GET queries: only those may be followed with GET */
  private readonly getCursors = new Set<string>();

  constructor(options: SimulatorOptions) {
    this.threadLimit = options.threadLimit ?? 3;
    this.hourlyThreshold = options.hourlyThreshold ?? 10_000;
    this.companies.replaceAll(options.companies ?? []);
    this.endpoints = this.buildEndpoints();
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // Last resort: a bug in the simulator must not crash the test process.
        if (!res.headersSent) this.send(res, errorReply(500, error instanceof Error ? error.message : String(error)));
        else res.destroy();
      });
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${hostPart}:${address.port}`;
    this.zoneLookupUrl = `${this.baseUrl}/ATServicesRest/V1.0/zoneInformation`;
  }

  // --- public API ---

  addAccount(account: SimulatorAccount): void {
    this.accounts.set(account.username.toLowerCase(), normalizeAccount(account));
  }

  updateAccount(username: string, patch: Partial<SimulatorAccount>): void {
    const existing = this.accounts.get(username.toLowerCase());
    if (!existing) throw new Error(`Autotask simulator: unknown account ${username}`);
    const updated = normalizeAccount({ ...existing, ...definedOnly(patch) });
    this.accounts.delete(username.toLowerCase());
    this.accounts.set(updated.username.toLowerCase(), updated);
  }

  inject(rule: FaultRule): void {
    this.faults.push({ rule, remaining: rule.times ?? Infinity });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  callsTo(pathSubstring: string): RecordedCall[] {
    const needle = pathSubstring.toLowerCase();
    return this.calls.filter((call) => call.path.toLowerCase().includes(needle));
  }

  callsInFlight(pathSubstring: string): number {
    const needle = pathSubstring.toLowerCase();
    return [...this.unanswered].filter((call) => call.path.toLowerCase().includes(needle)).length;
  }

  peakConcurrency(): Record<string, number> {
    return Object.fromEntries(this.peaks);
  }

  resetCalls(): void {
    this.calls.length = 0;
    this.callSeqs.length = 0;
    this.peaks.clear();
    for (const [key, count] of this.inFlight) this.peaks.set(key, count);
  }

  setCompanies(list: SimulatedCompany[]): void {
    this.companies.replaceAll(list);
  }

  upsertCompany(company: SimulatedCompany): CompanyRecord {
    return this.companies.upsert(company);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // --- endpoint table ---

  private buildEndpoints(): Map<string, Endpoint> {
    const endpoints: Endpoint[] = [
      {
        name: 'zoneInformation',
        authenticated: false,
        routes: [route('GET', '', (ctx) => this.zoneInformation(ctx.param('user')))],
      },
      {
        name: 'Version',
        authenticated: true,
        routes: [route('GET', '', () => ok({ majorVersion: '2026', minorVersion: '1', build: '1234' }))],
      },
      {
        name: 'ThresholdInformation',
        authenticated: true,
        routes: [
          route('GET', '', (ctx) =>
            ok({
              externalRequestThreshold: this.hourlyThreshold,
              requestThresholdTimeframe: 60,
              currentTimeframeRequestCount: this.hourlyCount(ctx.account?.database ?? 1),
            }),
          ),
        ],
      },
      { name: COMPANY.endpoint, authenticated: true, routes: [entityInformationRoute(COMPANY), ...this.queryRoutes(this.companies)] },
      {
        name: TICKET.endpoint,
        authenticated: true,
        routes: [entityInformationRoute(TICKET), route('GET', 'entityInformation/fields', () => ok({ fields: TICKET_FIELDS }))],
      },
      { name: TICKET_NOTE.endpoint, authenticated: true, routes: [entityInformationRoute(TICKET_NOTE)] },
    ];
    return new Map(endpoints.map((e) => [e.name.toLowerCase(), e]));
  }

  /** Read routes shared by every queryable entity: query (POST/GET), query/next, query/count, {id}. */
  private queryRoutes(store: QueryableStore): Route[] {
    const { entity } = store;
    const search = (ctx: Ctx) => {
      const text = ctx.param('search');
      return text === undefined ? undefined : parseJson(text);
    };
    const count = (body: unknown) => {
      const model = parseQueryModel(body, store);
      const predicate = compileFilter(model.filter, store);
      return ok({ queryCount: store.rows().filter(predicate).length });
    };
    const guarded = (handler: Handler): Handler => (ctx) => {
      requireAccess(ctx, entity, 'query');
      return handler(ctx);
    };
    return [
      route('POST', 'query', guarded((ctx) => this.queryPage(ctx, store, ctx.json(), null, 'POST'))),
      route('GET', 'query', guarded((ctx) => this.queryPage(ctx, store, search(ctx), null, 'GET'))),
      route('POST', 'query/next', guarded((ctx) => this.queryPage(ctx, store, ctx.json(), parseCursor(ctx.param('paging')), 'POST'))),
      route('GET', 'query/next', guarded((ctx) => {
        const paging = ctx.param('paging') ?? '';
        // Cursors from POST queries must be followed with POST and the same body (a GET gets 405, as on the real API).
        if (!this.getCursors.has(`${paging}\n${ctx.param('search') ?? ''}`)) return methodNotAllowed('GET');
        return this.queryPage(ctx, store, search(ctx), parseCursor(paging), 'GET');
      })),
      route('POST', 'query/count', guarded((ctx) => count(ctx.json()))),
      route('GET', 'query/count', guarded((ctx) => count(search(ctx)))),
      route('GET', ':id', guarded((ctx) => {
        const row = store.get(ctx.params.id);
        return row ? ok({ item: project(row, null, store) }) : errorReply(404, `${entity.name} with id ${ctx.params.id} was not found.`);
      })),
    ];
  }

  private queryPage(ctx: Ctx, store: QueryableStore, body: unknown, cursor: Cursor | null, origin: 'GET' | 'POST'): Reply {
    const model = parseQueryModel(body, store);
    const predicate = compileFilter(model.filter, store);
    const pageSize = cursor?.pageSize ?? model.maxRecords;
    const start = cursor ? cursor.nextIds[0] : -1;

    const page: Row[] = [];
    let nextRow: Row | undefined;
    for (const row of store.rows()) {
      if (row.id < start || !predicate(row)) continue;
      if (page.length === pageSize) {
        nextRow = row;
        break;
      }
      page.push(row);
    }

    const searchText = origin === 'GET' ? (ctx.param('search') ?? '') : JSON.stringify(body);
    const link = (paging: Cursor) => {
      const pagingText = JSON.stringify(paging);
      if (origin === 'GET') this.getCursors.add(`${pagingText}\n${searchText}`);
      return `${ctx.apiBase}V1.0/${store.entity.endpoint}/query/next?paging=${encodeURIComponent(pagingText)}&search=${encodeURIComponent(searchText)}`;
    };
    const previousIds = cursor?.previousIds ?? [];
    return ok({
      items: page.map((row) => project(row, model.includeFields, store)),
      pageDetails: {
        count: page.length,
        requestCount: pageSize,
        prevPageUrl: previousIds.length > 0 ? link({ pageSize, previousIds: previousIds.slice(0, -1), nextIds: [previousIds[previousIds.length - 1]] }) : null,
        nextPageUrl: nextRow ? link({ pageSize, previousIds: [...previousIds, start], nextIds: [nextRow.id] }) : null,
      },
    });
  }

  private zoneInformation(user: string | undefined): Reply {
    const account = user === undefined ? undefined : this.accounts.get(user.toLowerCase());
    if (!account) return errorReply(500, 'Zone information could not be determined');
    const zone = account.zone;
    const webHost = /^ws/i.test(zone) ? `ww${zone.slice(2)}` : `ww${zone}`;
    return ok({
      zoneName: ZONE_NAMES[zone.toLowerCase()] ?? `Zone ${zone}`,
      url: `${this.baseUrl}/${zone}/ATServicesRest/`,
      webUrl: `${this.baseUrl}/${webHost}/`,
      ci: account.database,
    });
  }

  // --- request pipeline ---

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const seq = this.nextSeq++;
    const startedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const target = parseTarget(url.pathname);
    const call: RecordedCall = {
      method,
      path: target.path,
      zone: target.zone,
      username: header(req, 'username') ?? searchParam(url.searchParams, 'user') ?? null,
      status: 0,
      startedAt,
      endedAt: 0,
    };
    this.unanswered.add(call);
    const finish = (status: number) => {
      this.unanswered.delete(call);
      call.status = status;
      call.endedAt = Date.now();
      this.record(seq, call);
    };

    const body = await readBody(req, MAX_BODY_BYTES);
    const fault = this.takeFault(method, target.path);
    if (fault && (fault.drop || fault.status !== undefined)) {
      await sleep(fault.latencyMs ?? 0);
      if (fault.drop) {
        req.socket.destroy();
        finish(0);
        return;
      }
      const status = fault.status as number;
      const reply = { status, body: fault.body !== undefined ? fault.body : this.defaultFaultBody(status) };
      this.send(res, reply);
      finish(status);
      return;
    }

    let pendingLatency = fault?.latencyMs ?? 0;
    const applyLatency = async () => {
      const ms = pendingLatency;
      pendingLatency = 0;
      if (ms > 0) await sleep(ms);
    };
    const reply = body === null ? errorReply(413, 'Request body too large.') : await this.dispatch(req, method, url, target, body, applyLatency);
    await applyLatency(); // no-op when the handler already waited inside its thread slot
    this.send(res, reply);
    finish(reply.status);
  }

  private async dispatch(
    req: http.IncomingMessage,
    method: string,
    url: URL,
    target: ReturnType<typeof parseTarget>,
    body: Buffer,
    applyLatency: () => Promise<void>,
  ): Promise<Reply> {
    const segments = target.segments;
    if (!segments || segments.length === 0) return NOT_FOUND;
    if (segments.length === 1 && segments[0].toLowerCase() === 'versioninformation') {
      return method === 'GET' ? ok({ apiVersions: ['V1.0'] }) : methodNotAllowed(method);
    }
    if (segments[0].toLowerCase() !== 'v1.0' || segments.length < 2) return NOT_FOUND;
    const endpoint = this.endpoints.get(segments[1].toLowerCase());
    if (!endpoint) return NOT_FOUND;
    const match = matchRoute(endpoint.routes, method, segments.slice(2));
    if ('reply' in match) return match.reply;

    let parsed: { value: unknown } | undefined;
    const ctx: Ctx = {
      params: match.params,
      account: null,
      apiBase: target.zone ? `${this.baseUrl}/${target.zone}/ATServicesRest/` : `${this.baseUrl}/ATServicesRest/`,
      param: (name) => searchParam(url.searchParams, name),
      json: () => {
        const text = body.toString('utf8');
        parsed ??= { value: text.trim() === '' ? undefined : parseJson(text) };
        return parsed.value;
      },
    };
    if (!endpoint.authenticated) return this.invoke(match.route.handler, ctx);

    const auth = this.authenticate(req, target.zone);
    if ('reply' in auth) return auth.reply;
    ctx.account = auth.account;
    if (!this.countHourly(auth.account.database)) {
      return errorReply(429, `Request threshold of ${this.hourlyThreshold} requests per 60 minutes has been exceeded.`);
    }
    const key = `${auth.account.integrationCode}:${endpoint.name}`;
    if (!this.admit(key)) return threadLimitReply(this.threadLimit);
    try {
      await applyLatency();
      return await this.invoke(match.route.handler, ctx);
    } finally {
      this.release(key);
    }
  }

  private async invoke(handler: Handler, ctx: Ctx): Promise<Reply> {
    try {
      return await handler(ctx);
    } catch (error) {
      if (error instanceof ApiError) return error.reply;
      return errorReply(500, error instanceof Error ? error.message : String(error));
    }
  }

  /** Order matters: bad user/zone/secret → empty 401; bad code → 500; no API-only level → empty 401; inactive → 403. */
  private authenticate(req: http.IncomingMessage, zone: string | null): { account: Account } | { reply: Reply } {
    const username = header(req, 'username');
    const account = username === undefined ? undefined : this.accounts.get(username.toLowerCase());
    if (!account || zone === null || account.zone.toLowerCase() !== zone.toLowerCase() || header(req, 'secret') !== account.secret) {
      return { reply: { status: 401 } };
    }
    if (header(req, 'apiintegrationcode') !== account.integrationCode) return { reply: errorReply(500, 'IntegrationCode is invalid.') };
    if (!account.apiSecurityLevel) return { reply: { status: 401 } };
    if (!account.active) {
      return { reply: errorReply(403, 'The API user account is inactive. Please see your Autotask Administrator.') };
    }
    return { account };
  }

  private takeFault(method: string, path: string): FaultRule | undefined {
    for (const fault of this.faults) {
      const { rule } = fault;
      if (fault.remaining <= 0) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (typeof rule.path === 'string' && !path.toLowerCase().includes(rule.path.toLowerCase())) continue;
      if (rule.path instanceof RegExp) {
        rule.path.lastIndex = 0; // a /g regexp would otherwise remember its last position
        if (!rule.path.test(path)) continue;
      }
      fault.remaining -= 1;
      return rule;
    }
    return undefined;
  }

  private defaultFaultBody(status: number): unknown {
    if (status === 429) return threadLimitReply(this.threadLimit).body;
    if (status === 401) return undefined;
    if (status >= 500) return { errors: ['Simulated server error'] };
    return { errors: [`Simulated error ${status}`] };
  }

  /** Rejected requests are not counted, so the window drains while a client is refused. */
  private countHourly(database: number): boolean {
    const stamps = this.pruneHourly(database);
    if (stamps.length >= this.hourlyThreshold) return false;
    stamps.push(Date.now());
    return true;
  }

  private hourlyCount(database: number): number {
    return this.pruneHourly(database).length;
  }

  private pruneHourly(database: number): number[] {
    let stamps = this.hourly.get(database);
    if (!stamps) this.hourly.set(database, (stamps = []));
    const cutoff = Date.now() - HOUR_MS;
    let expired = 0;
    while (expired < stamps.length && stamps[expired] <= cutoff) expired += 1;
    if (expired > 0) stamps.splice(0, expired);
    return stamps;
  }

  private admit(key: string): boolean {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= this.threadLimit) return false;
    this.inFlight.set(key, current + 1);
    this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, current + 1));
    return true;
  }

  private release(key: string): void {
    const remaining = (this.inFlight.get(key) ?? 1) - 1;
    if (remaining > 0) this.inFlight.set(key, remaining);
    else this.inFlight.delete(key);
  }

  private record(seq: number, call: RecordedCall): void {
    let index = this.callSeqs.length;
    while (index > 0 && this.callSeqs[index - 1] > seq) index -= 1;
    this.callSeqs.splice(index, 0, seq);
    this.calls.splice(index, 0, call);
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    if (reply.body === undefined) {
      res.writeHead(reply.status, { 'Content-Length': '0' });
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function entityInformationRoute(entity: EntityMeta): Route {
  return route('GET', 'entityInformation', (ctx) =>
    ok({
      info: {
        name: entity.name,
        canCreate: entity.can.create,
        canDelete: entity.can.delete,
        canQuery: entity.can.query,
        canUpdate: entity.can.update,
        userAccessForCreate: userAccess(ctx.account, entity, 'create'),
        userAccessForDelete: userAccess(ctx.account, entity, 'delete'),
        userAccessForQuery: userAccess(ctx.account, entity, 'query'),
        userAccessForUpdate: userAccess(ctx.account, entity, 'update'),
        hasUserDefinedFields: entity.hasUserDefinedFields,
        supportsWebhookCallouts: entity.supportsWebhookCallouts,
      },
    }),
  );
}

export async function startAutotaskSimulator(options: SimulatorOptions = {}): Promise<AutotaskSimulator> {
  const simulator = new Simulator(options);
  await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return simulator;
}
