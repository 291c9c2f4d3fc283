/** Public types of the Autotask simulator; `./server` re-exports them. */

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
  /**
   * handle the request normally (a create or update takes effect), then destroy the socket instead of answering: the client
   * sees a network error for a write that was committed. Recorded with status 0, like `drop`.
   */
  loseResponse?: boolean;
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

/**
 * The TicketModel fields the simulator stores; unset text is "" and unset numbers and dates null, as the real API answers.
 * Picklist fields hold the picklist value as a number.
 */
export interface TicketRecord {
  id: number;
  /** "T" + UTC creation date + a per-day sequence, e.g. "T20261203.0001" */
  ticketNumber: string;
  title: string;
  description: string;
  status: number;
  priority: number;
  queueID: number | null;
  issueType: number | null;
  /** depends on issueType (its picklist value's parentValue) */
  subIssueType: number | null;
  source: number | null;
  ticketType: number | null;
  ticketCategory: number | null;
  companyID: number;
  contactID: number | null;
  assignedResourceID: number | null;
  assignedResourceRoleID: number | null;
  dueDateTime: string | null;
  createDate: string;
  /** moves on every change to the ticket and on every note added to it */
  lastActivityDate: string;
  /** moves on every change to the ticket's own fields (not on notes) */
  lastTrackedModificationDateTime: string;
  /** set when status becomes 5 (Complete), cleared when it leaves it */
  completedDate: string | null;
  externalID: string;
  userDefinedFields: UserDefinedFieldValue[];
}

/** A technician's edit in the Autotask UI: the writable ticket fields, applied as given (no API validation). */
export type TicketEdit = Partial<
  Omit<TicketRecord, 'id' | 'ticketNumber' | 'createDate' | 'lastActivityDate' | 'lastTrackedModificationDateTime' | 'completedDate'>
>;

/** The whole TicketNoteModel; unset text is "" and unset ids null. */
export interface TicketNoteRecord {
  id: number;
  ticketID: number;
  title: string;
  description: string;
  noteType: number;
  publish: number;
  createDateTime: string;
  lastActivityDate: string;
  createdByContactID: number | null;
  creatorResourceID: number | null;
  impersonatorCreatorResourceID: number | null;
  impersonatorUpdaterResourceID: number | null;
}

/** Entities whose `entityInformation/fields` picklists a test can edit between refreshes. */
export type PicklistEntity = 'Tickets' | 'TicketNotes';

/** A picklist value as `entityInformation/fields` reports it, minus sortOrder and isSystem; parentValue is "" when none. */
export interface PicklistEntry {
  value: string;
  label: string;
  isActive: boolean;
  isDefaultValue: boolean;
  parentValue: string;
}

export interface PicklistValuePatch {
  /** required when the value is added */
  label?: string;
  isActive?: boolean;
  /** true also clears the flag on the field's other values: a picklist has one default */
  isDefaultValue?: boolean;
  /** the parent field's value for dependent picklists (subIssueType → issueType); null clears it */
  parentValue?: number | null;
}

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
  /** changes the concurrent requests allowed per (integration code, endpoint), for requests admitted from now on */
  setThreadLimit(limit: number): void;
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
  /** adds the value (label required) or updates it; field names are case-insensitive; throws for an unknown or non-picklist field */
  setPicklistValue(entity: PicklistEntity, field: string, value: number, patch: PicklistValuePatch): void;
  /** throws for an unknown or non-picklist field, or a value the picklist lacks */
  removePicklistValue(entity: PicklistEntity, field: string, value: number): void;
  /** a copy of the field's current values, in picklist order */
  picklist(entity: PicklistEntity, field: string): PicklistEntry[];
  /** copies of every ticket, in id order */
  tickets(): TicketRecord[];
  /** a copy of the ticket, or undefined */
  ticket(id: number): TicketRecord | undefined;
  /** copies of the notes of one ticket, or of every ticket, in id order */
  notes(ticketId?: number): TicketNoteRecord[];
  /**
   * a technician's edit: applies the fields as given, stamps lastTrackedModificationDateTime and lastActivityDate, and
   * sets or clears completedDate by status (5 = Complete); returns a copy; throws for an unknown id
   */
  updateTicket(id: number, edit: TicketEdit): TicketRecord;
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
