/**
 * Create and update bodies, read against an entity's field metadata (types, lengths, picklists, required fields) and refused
 * with 500 {"errors":[...]} as the API does. Every problem of a body is collected, so one answer lists them all.
 */
import type { EntityMeta, FieldInfo, FieldType } from './entities';
import type { FieldStore } from './fields';
import type { UserDefinedFieldValue } from './types';
import { fail, formatTimestamp, getKey, isObject, parseInstant } from './wire';

/** The writable fields a body supplies, converted, by canonical name; `problems` says why the `refused` ones were. */
export interface Write {
  values: Record<string, unknown>;
  refused: Set<string>;
  problems: string[];
}

/** The API's text for unknown picklist values (API.md §10.1); the simulator also uses it for inactive values. */
export const invalidValue = (field: string) => `Value does not reference an existing entity for ${field}.`;
export const notFound = (entity: EntityMeta, id: number) => `${entity.name} with id ${id} was not found.`;
export const idOnCreate = (entity: EntityMeta) => `A new ${entity.name} cannot be given an id: the API assigns it.`;
const required = (field: string) => `The ${field} field is required.`;
// API.md §3: explicit nulls cause 500s on the real API; this text is the simulator's.
const nullRefused = (field: string) => `Null is not accepted for field: ${field}; omit the field instead.`;

export function bodyObject(body: unknown, entity: EntityMeta): Record<string, unknown> {
  return isObject(body) ? body : fail(500, `The request body must be a ${entity.name} object.`);
}

/** JSON numbers and digit strings, as the API's deserializer accepts both. */
export function toInteger(raw: unknown): number | undefined {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return Number.isSafeInteger(n) ? (n as number) : undefined;
}

/** Reads the body's writable fields; read-only fields and names the metadata lacks are ignored, as the API ignores them. */
export function readWrite(body: Record<string, unknown>, fields: FieldStore): Write {
  const write: Write = { values: {}, refused: new Set(), problems: [] };
  for (const [key, raw] of Object.entries(body)) {
    const info = fields.find(key);
    if (!info || info.isReadOnly) continue;
    const value = raw === null ? undefined : convert(raw, info.dataType);
    const problem = refusal(info, raw, value);
    if (problem === undefined) {
      write.values[info.name] = value;
    } else {
      write.refused.add(info.name);
      write.problems.push(problem);
    }
  }
  return write;
}

function refusal(info: FieldInfo, raw: unknown, value: unknown): string | undefined {
  const { name } = info;
  if (raw === null) return nullRefused(name);
  if (value === undefined) return `Value ${JSON.stringify(raw)} is not a valid ${info.dataType} for field: ${name}.`;
  if (typeof value === 'string' && info.length > 0 && value.length > info.length) {
    return `Value for field: ${name} is longer than its maximum length of ${info.length} characters.`;
  }
  if (info.picklistValues && !info.picklistValues.some((v) => v.value === String(value) && v.isActive)) return invalidValue(name);
  return undefined;
}

function convert(raw: unknown, type: FieldType): unknown {
  switch (type) {
    case 'integer':
    case 'long':
      return toInteger(raw);
    case 'string':
      return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseInstant(raw) : undefined;
      return ms === undefined ? undefined : formatTimestamp(ms);
    }
    default:
      return raw; // no decimal or boolean field is writable on the entities served
  }
}

/**
 * Checks over the whole record after the body's accepted values are applied: required fields, and dependent picklists when
 * either side was supplied. Fields already refused are not reported again.
 */
export function checkRecord(record: Record<string, unknown>, write: Write, fields: FieldStore): string[] {
  const problems: string[] = [];
  for (const info of fields.list()) {
    if (write.refused.has(info.name)) continue;
    const value = record[info.name];
    if (info.isRequired && !info.isReadOnly && (value === null || value === undefined || value === '')) problems.push(required(info.name));
    const parent = info.picklistParentValueField ? fields.find(info.picklistParentValueField) : undefined;
    if (!parent || value === null || value === undefined || !(info.name in write.values || parent.name in write.values)) continue;
    const entry = info.picklistValues?.find((v) => v.value === String(value));
    if (entry?.parentValue !== String(record[parent.name] ?? '')) problems.push(invalidValue(info.name));
  }
  return problems;
}

/** The `userDefinedFields` array of a body; values are strings on the wire. */
export function readUdfs(raw: unknown, problems: string[]): UserDefinedFieldValue[] {
  if (!Array.isArray(raw)) {
    problems.push('userDefinedFields must be an array of {"name": ..., "value": ...} objects.');
    return [];
  }
  const udfs: UserDefinedFieldValue[] = [];
  for (const entry of raw) {
    const name = isObject(entry) ? getKey(entry, 'name') : undefined;
    const value = isObject(entry) ? getKey(entry, 'value') : undefined;
    if (typeof name !== 'string' || name === '') problems.push('Every user-defined field needs a name.');
    else if (value === null) problems.push(nullRefused(name));
    else if (typeof value !== 'string' && typeof value !== 'number') problems.push(`Value for user-defined field: ${name} must be a string.`);
    else udfs.push({ name, value: String(value) });
  }
  return udfs;
}

/** An update names only the UDFs it changes; the others keep their values. */
export function mergeUdfs(existing: UserDefinedFieldValue[], changes: UserDefinedFieldValue[]): UserDefinedFieldValue[] {
  const merged = existing.map((u) => ({ ...u }));
  for (const change of changes) {
    const current = merged.find((u) => u.name.toLowerCase() === change.name.toLowerCase());
    if (current) current.value = change.value;
    else merged.push({ ...change });
  }
  return merged;
}
