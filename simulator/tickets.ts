/** The ticket and ticket note stores behind the Tickets and TicketNotes endpoints, with the API's create and update rules. */
import type { CompanyStore } from './companies';
import { TICKET, TICKET_NOTE, TICKET_NOTE_SCHEMA, TICKET_SCHEMA } from './entities';
import type { FieldStore } from './fields';
import type { QueryableStore } from './query';
import type { TicketEdit, TicketNoteRecord, TicketRecord } from './types';
import { fail, failAll, formatTimestamp, getKey, monotonicClock } from './wire';
import { bodyObject, checkRecord, idOnCreate, mergeUdfs, notFound, readUdfs, readWrite, toInteger, type Write } from './writes';

/** The system "Complete" status (API.md §9). */
const COMPLETE = 5;
// Distinct id ranges, so a ticket id mistaken for a note id (or the reverse) finds nothing.
const FIRST_TICKET_ID = 100_001;
const FIRST_NOTE_ID = 30_000_001;

/** REST text seen live when only the resource was sent (API.md §10.1). */
const RESOURCE_PAIR = 'When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID.';
// The REST text for this case is unconfirmed; the SOAP-era one said the three "cannot all be empty".
const NO_ROUTING =
  'queueID, assignedResourceID and assignedResourceRoleID cannot all be empty: ' +
  'set a queueID, or both an assignedResourceID and an assignedResourceRoleID.';
const COMPANY_INVALID = 'Reference value on field: companyID of type: Company does not exist or is invalid.';
const ROUTING_FIELDS = ['queueID', 'assignedResourceID', 'assignedResourceRoleID'];

/** A ticket needs a queue, or a resource together with its role. */
function routingProblem(ticket: Record<string, unknown>): string | undefined {
  const withResource = ticket.assignedResourceID !== null;
  if (withResource !== (ticket.assignedResourceRoleID !== null)) return RESOURCE_PAIR;
  if (!withResource && ticket.queueID === null) return NO_ROUTING;
  return undefined;
}

/** A new ticket before its body is applied: required fields stay unset (null) until validation finds them given. */
function unsetTicket(): Record<keyof TicketRecord, unknown> {
  return {
    id: 0,
    ticketNumber: '',
    title: '',
    description: '',
    status: null,
    priority: null,
    queueID: null,
    issueType: null,
    subIssueType: null,
    source: null,
    ticketType: null,
    ticketCategory: null,
    companyID: null,
    contactID: null,
    assignedResourceID: null,
    assignedResourceRoleID: null,
    dueDateTime: null,
    createDate: '',
    lastActivityDate: '',
    lastTrackedModificationDateTime: '',
    completedDate: null,
    externalID: '',
    userDefinedFields: [],
  };
}

export class TicketStore implements QueryableStore {
  readonly entity = TICKET;
  readonly fields = TICKET_SCHEMA;
  /** insertion order is id order: ids only grow */
  private readonly byId = new Map<number, TicketRecord>();
  private nextId = FIRST_TICKET_ID;
  /** last ticket number sequence used per UTC day ("20261203") */
  private readonly perDay = new Map<string, number>();
  private readonly clock = monotonicClock();

  constructor(
    private readonly definitions: FieldStore,
    private readonly companies: CompanyStore,
  ) {}

  rows(): TicketRecord[] {
    return [...this.byId.values()];
  }

  get(id: number): TicketRecord | undefined {
    return this.byId.get(id);
  }

  /** POST /Tickets; returns the new id. */
  create(body: unknown): number {
    const input = bodyObject(body, TICKET);
    const write = this.read(input);
    if (getKey(input, 'id') !== undefined) write.problems.push(idOnCreate(TICKET));
    const draft = Object.assign(unsetTicket(), write.values);
    this.refuseInvalid(draft, write);

    const ticket = draft as TicketRecord;
    ticket.id = this.nextId++;
    this.commit(ticket);
    ticket.createDate = ticket.lastActivityDate;
    ticket.ticketNumber = this.ticketNumber(ticket.createDate);
    return ticket.id;
  }

  /** PATCH /Tickets: only the supplied fields change. An unknown id is a 404, like GET /Tickets/{id}. */
  update(body: unknown): number {
    const input = bodyObject(body, TICKET);
    const id = toInteger(getKey(input, 'id')) ?? fail(500, 'An update needs the id of the Ticket to change.');
    const existing = this.byId.get(id) ?? fail(404, notFound(TICKET, id));
    const write = this.read(input);
    const draft = Object.assign(structuredClone(existing), write.values);
    if (write.values.userDefinedFields !== undefined) draft.userDefinedFields = mergeUdfs(existing.userDefinedFields, draft.userDefinedFields);
    this.refuseInvalid(draft, write);
    this.commit(draft);
    return id;
  }

  /** A technician's edit: no API validation, so a test can set what the API would refuse. */
  edit(id: number, edit: TicketEdit): TicketRecord {
    const existing = this.byId.get(id);
    if (!existing) throw new Error(`Autotask simulator: unknown ticket ${id}`);
    return this.commit({ ...existing, ...structuredClone(edit) });
  }

  /** A note was added: the ticket shows activity (not a tracked modification). Returns the stamp, for the note. */
  noteAdded(id: number): string {
    const ticket = this.byId.get(id) as TicketRecord;
    ticket.lastActivityDate = formatTimestamp(this.clock());
    return ticket.lastActivityDate;
  }

  /** The body's fields, with its userDefinedFields under their own name (the metadata does not list them). */
  private read(input: Record<string, unknown>): Write {
    const write = readWrite(input, this.definitions);
    const udfs = getKey(input, 'userDefinedFields');
    if (udfs !== undefined) write.values.userDefinedFields = readUdfs(udfs, write.problems);
    return write;
  }

  private refuseInvalid(draft: Record<string, unknown>, write: Write): void {
    const problems = [...write.problems, ...checkRecord(draft, write, this.definitions)];
    // A refused queue or resource is reported already; the routing rule would only repeat it.
    const routing = ROUTING_FIELDS.some((name) => write.refused.has(name)) ? undefined : routingProblem(draft);
    if (routing) problems.push(routing);
    // Checked only when supplied: a ticket of a company deactivated later stays editable.
    const companyID = write.values.companyID;
    if (companyID !== undefined && !this.companies.get(companyID as number)?.isActive) problems.push(COMPANY_INVALID);
    if (problems.length > 0) failAll(500, problems);
  }

  /** Stores a changed ticket: both change stamps move, and completedDate follows status. */
  private commit(ticket: TicketRecord): TicketRecord {
    const now = formatTimestamp(this.clock());
    ticket.lastActivityDate = ticket.lastTrackedModificationDateTime = now;
    if (ticket.status !== COMPLETE) ticket.completedDate = null;
    else ticket.completedDate ??= now;
    this.byId.set(ticket.id, ticket);
    return ticket;
  }

  /** "T" + the creation date (UTC) + a 4-digit sequence restarting every day: "T20261203.0001". */
  private ticketNumber(createDate: string): string {
    const day = createDate.slice(0, 10).replaceAll('-', '');
    const sequence = (this.perDay.get(day) ?? 0) + 1;
    this.perDay.set(day, sequence);
    return `T${day}.${String(sequence).padStart(4, '0')}`;
  }
}

function unsetNote(): Record<keyof TicketNoteRecord, unknown> {
  return {
    id: 0,
    ticketID: null,
    title: '',
    description: '',
    noteType: null,
    publish: null,
    createDateTime: '',
    lastActivityDate: '',
    createdByContactID: null,
    creatorResourceID: null,
    impersonatorCreatorResourceID: null,
    impersonatorUpdaterResourceID: null,
  };
}

export class TicketNoteStore implements QueryableStore {
  readonly entity = TICKET_NOTE;
  readonly fields = TICKET_NOTE_SCHEMA;
  /** insertion order is id order: ids only grow */
  private readonly byId = new Map<number, TicketNoteRecord>();
  private nextId = FIRST_NOTE_ID;

  constructor(
    private readonly definitions: FieldStore,
    private readonly tickets: TicketStore,
  ) {}

  rows(): TicketNoteRecord[] {
    return [...this.byId.values()];
  }

  get(id: number): TicketNoteRecord | undefined {
    return this.byId.get(id);
  }

  ofTicket(ticketId: number): TicketNoteRecord[] {
    return this.rows().filter((note) => note.ticketID === ticketId);
  }

  /** POST /Tickets/{ticketId}/Notes; returns the new id. An unknown ticket is a 404, like GET /Tickets/{id}. */
  create(ticketId: number, body: unknown): number {
    if (!this.tickets.get(ticketId)) fail(404, notFound(TICKET, ticketId));
    const input = bodyObject(body, TICKET_NOTE);
    const write = readWrite(input, this.definitions);
    const problems = write.problems;
    if (getKey(input, 'id') !== undefined) problems.push(idOnCreate(TICKET_NOTE));
    if (write.values.ticketID !== undefined && write.values.ticketID !== ticketId) {
      problems.push(`ticketID ${String(write.values.ticketID)} does not match the ticket id ${ticketId} of the URL.`);
    }
    const draft = Object.assign(unsetNote(), write.values, { ticketID: ticketId });
    problems.push(...checkRecord(draft, write, this.definitions));
    if (problems.length > 0) failAll(500, problems);

    const note = draft as TicketNoteRecord;
    note.id = this.nextId++;
    note.createDateTime = note.lastActivityDate = this.tickets.noteAdded(ticketId);
    this.byId.set(note.id, note);
    return note.id;
  }
}
