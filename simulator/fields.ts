/** Per-simulator field definitions: a copy of an entity's default fields whose picklists tests can edit. */
import type { EntityMeta, FieldInfo, PicklistValue } from './entities';
import type { PicklistEntry, PicklistValuePatch } from './types';

export class FieldStore {
  private readonly fields: FieldInfo[];

  constructor(
    private readonly entity: EntityMeta,
    defaults: FieldInfo[],
  ) {
    // A deep copy, so edits never leak into the defaults or another simulator.
    this.fields = structuredClone(defaults);
  }

  /** A copy, so a reply carries the data as it was when the request was handled. */
  snapshot(): FieldInfo[] {
    return structuredClone(this.fields);
  }

  setValue(field: string, value: number, patch: PicklistValuePatch): void {
    const values = this.values(field);
    let entry = values.find((v) => v.value === String(value));
    if (!entry) {
      if (patch.label === undefined) {
        throw new Error(`Autotask simulator: a label is required to add ${value} to ${this.entity.endpoint}.${field}`);
      }
      // Values added by a tenant admin are custom ones, listed last.
      const sortOrder = Math.max(0, ...values.map((v) => v.sortOrder)) + 1;
      entry = { value: String(value), label: patch.label, isDefaultValue: false, sortOrder, parentValue: '', isActive: true, isSystem: false };
      values.push(entry);
    }
    if (patch.label !== undefined) entry.label = patch.label;
    if (patch.isActive !== undefined) entry.isActive = patch.isActive;
    if (patch.parentValue !== undefined) entry.parentValue = patch.parentValue === null ? '' : String(patch.parentValue);
    if (patch.isDefaultValue) for (const other of values) other.isDefaultValue = false;
    if (patch.isDefaultValue !== undefined) entry.isDefaultValue = patch.isDefaultValue;
  }

  removeValue(field: string, value: number): void {
    const values = this.values(field);
    const index = values.findIndex((v) => v.value === String(value));
    if (index < 0) throw new Error(`Autotask simulator: ${this.entity.endpoint}.${field} has no value ${value}`);
    values.splice(index, 1);
  }

  entries(field: string): PicklistEntry[] {
    return this.values(field).map(({ value, label, isActive, isDefaultValue, parentValue }) => ({
      value,
      label,
      isActive,
      isDefaultValue,
      parentValue,
    }));
  }

  /** The live definition of a field, matched case-insensitively like the API matches field names; for validating writes. */
  find(field: string): FieldInfo | undefined {
    return this.fields.find((f) => f.name.toLowerCase() === field.toLowerCase());
  }

  /** The live definitions, for checks that run over every field (required, dependent picklists). */
  list(): readonly FieldInfo[] {
    return this.fields;
  }

  /** The live values array of a picklist field. */
  private values(field: string): PicklistValue[] {
    const info = this.find(field);
    if (!info) throw new Error(`Autotask simulator: ${this.entity.endpoint} has no field ${field}`);
    if (!info.picklistValues) throw new Error(`Autotask simulator: ${this.entity.endpoint}.${info.name} is not a picklist`);
    return info.picklistValues;
  }
}
