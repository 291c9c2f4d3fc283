/** The company store behind the Companies endpoint. */
import { COMPANY, COMPANY_SCHEMA } from './entities';
import type { QueryableStore, Row } from './query';
import type { CompanyRecord, SimulatedCompany } from './types';
import { formatTimestamp, monotonicClock } from './wire';

export class CompanyStore implements QueryableStore {
  readonly entity = COMPANY;
  readonly fields = COMPANY_SCHEMA;
  private readonly byId = new Map<number, CompanyRecord>();
  private readonly clock = monotonicClock();

  rows(): Row[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): CompanyRecord | undefined {
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

  private stamp(): string {
    return formatTimestamp(this.clock());
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
