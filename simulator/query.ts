/** Query engine: query models, filters, projections and paging cursors over a QueryableStore. */
import type { EntityMeta, FieldType } from './entities';
import type { UserDefinedFieldValue } from './types';
import { fail, getKey, isObject, parseInstant, parseJson } from './wire';

/** Records as the query engine sees them; field values are read by canonical (camelCase) name. */
export type Row = { id: number; userDefinedFields?: UserDefinedFieldValue[] };

export interface QueryableStore {
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

const QUERY_MODEL_NULL = 'Value cannot be null.\r\nParameter name: queryModel';
const MAX_PAGE = 500;
const MAX_OR_CONDITIONS = 500;

export function parseQueryModel(raw: unknown, store: QueryableStore): QueryModel {
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
export function compileFilter(filter: unknown[], store: QueryableStore): Predicate {
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

export function project(row: Row, includeFields: string[] | null, store: QueryableStore): Record<string, unknown> {
  // Entities without UDFs (TicketNotes) answer without the array.
  const udfs = store.entity.hasUserDefinedFields ? (row.userDefinedFields ?? []).map((u) => ({ ...u })) : undefined;
  if (!includeFields) return udfs ? { ...row, userDefinedFields: udfs } : { ...row };
  const out: Record<string, unknown> = {};
  const wanted = new Set(includeFields.map((f) => f.toLowerCase()));
  for (const name of includeFields) {
    if (store.fields.has(name.toLowerCase())) out[name] = (row as Record<string, unknown>)[name] ?? null;
  }
  // On UDF entities userDefinedFields always appears, holding only the UDFs that were asked for.
  if (udfs) out.userDefinedFields = udfs.filter((u) => wanted.has(u.name.toLowerCase()));
  return out;
}

/** The `paging` parameter of nextPageUrl/prevPageUrl: a page starts at id nextIds[0]; previousIds are earlier pages' starts (-1 = the first page). */
export interface Cursor {
  pageSize: number;
  previousIds: number[];
  nextIds: number[];
}

export function parseCursor(text: string | undefined): Cursor {
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
