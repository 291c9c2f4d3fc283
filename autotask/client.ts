import { z } from 'zod';
import { AutotaskError } from './errors';

export { AutotaskError, isAutotaskError, type AutotaskErrorKind } from './errors';

/** Autotask's REST version is pinned: `versioninformation` started listing V2.0, where zoneInformation is 404. */
const API_VERSION = 'V1.0';

export interface AutotaskCredentials {
  username: string;
  secret: string;
  integrationCode: string;
}

const zoneSchema = z.object({
  zoneName: z.string(),
  url: z.string(),
  webUrl: z.string(),
  ci: z.number().int().optional(),
});

export interface Zone {
  name: string;
  /** API base ending in `/ATServicesRest/`, e.g. `https://webservices5.autotask.net/ATServicesRest/`. */
  apiUrl: string;
  /** Web UI base, for deep links. */
  webUrl: string;
  databaseId?: number;
}

const versionSchema = z.object({ majorVersion: z.string(), minorVersion: z.string(), build: z.string() }).partial();
export type AutotaskVersion = z.infer<typeof versionSchema>;

const thresholdSchema = z.object({
  externalRequestThreshold: z.number(),
  requestThresholdTimeframe: z.number(),
  currentTimeframeRequestCount: z.number(),
});
export type ThresholdInformation = z.infer<typeof thresholdSchema>;

/** The swagger leaves RestUserAccessLevel undefined; anything but an explicit "none" counts as access. */
const userAccess = z.unknown().transform((v) => !(v === false || v === 0 || v === null || (typeof v === 'string' && /^none$/i.test(v))));

const entityInformationSchema = z.object({
  info: z.object({
    name: z.string(),
    canCreate: z.boolean().default(false),
    canQuery: z.boolean().default(false),
    canUpdate: z.boolean().default(false),
    canDelete: z.boolean().default(false),
    userAccessForCreate: userAccess,
    userAccessForQuery: userAccess,
    userAccessForUpdate: userAccess,
    userAccessForDelete: userAccess,
  }),
});
export type EntityInformation = z.infer<typeof entityInformationSchema>['info'];

const picklistValueSchema = z.object({
  value: z.string(),
  label: z.string(),
  isDefaultValue: z.boolean().default(false),
  sortOrder: z.number().default(0),
  parentValue: z.string().nullish(),
  isActive: z.boolean().default(true),
});
const fieldSchema = z.object({
  name: z.string(),
  isPickList: z.boolean().default(false),
  picklistValues: z.array(picklistValueSchema).nullish(),
});
const fieldsSchema = z.object({ fields: z.array(fieldSchema) });
export type EntityField = z.infer<typeof fieldSchema>;

const pageSchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  pageDetails: z.object({ nextPageUrl: z.string().nullish() }).optional(),
});
export interface QueryPage {
  items: Record<string, unknown>[];
  /** Absolute URL of the next page, to be fetched by POST with the same body; `null` on the last page. */
  nextPageUrl: string | null;
}

/** A POST query body (see API.md §6): filter entries are ANDed; `MaxRecords` ≤ 500 rows a page. */
export interface QueryBody {
  filter: Array<Record<string, unknown>>;
  MaxRecords?: number;
  IncludeFields?: string[];
}

const itemIdSchema = z.object({ itemId: z.number() });

const ticketSchema = z.object({
  id: z.number().int(),
  ticketNumber: z.string(),
  status: z.number().int(),
  externalID: z.string().nullish(),
});
export type Ticket = z.infer<typeof ticketSchema>;

/** The fields this engine writes on a ticket (TicketModel); unset ones are left out, since Autotask fails on nulls. */
export interface TicketFields {
  companyID: number;
  title: string;
  description: string;
  status: number;
  priority: number;
  queueID: number;
  externalID: string;
  issueType?: number;
  subIssueType?: number;
  source?: number;
  ticketType?: number;
}

export interface TicketNote {
  title: string;
  description: string;
  noteType: number;
  publish: number;
}

/**
 * Decides when a request may leave: Autotask allows a few concurrent requests per integration and endpoint and a
 * number per hour per database, shared by every worker. `endpoint` is the entity segment (`Tickets`, `Companies`).
 */
export interface RequestGate {
  run<T>(endpoint: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

const errorBodySchema = z.object({ errors: z.array(z.union([z.string(), z.object({ message: z.string() })])) });

export interface AutotaskClientOptions {
  /** `…/ATServicesRest/V1.0/zoneInformation` on any Autotask host (or a simulator). */
  zoneLookupUrl: string;
  requestTimeoutMs: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The one typed module that talks to Autotask. Zones are discovered per username and cached; a connection failure
 * forgets the cached zone so the next call looks it up again (a tenant can move between zones).
 */
export class AutotaskClient {
  private readonly zones = new Map<string, Zone>();

  constructor(private readonly options: AutotaskClientOptions) {}

  async zoneFor(username: string, call: CallOptions = {}): Promise<Zone> {
    const cached = this.zones.get(username);
    if (cached) return cached;
    const url = new URL(this.options.zoneLookupUrl);
    url.searchParams.set('user', username);
    // zoneInformation needs no credentials; sending none keeps the secret away from the discovery host.
    const body = await this.send(url, { method: 'GET' }, call);
    const zone = parse(zoneSchema, body, 'zoneInformation');
    const result: Zone = {
      name: zone.zoneName,
      apiUrl: zone.url.endsWith('/') ? zone.url : `${zone.url}/`,
      webUrl: zone.webUrl,
      databaseId: zone.ci,
    };
    this.zones.set(username, result);
    return result;
  }

  /** Seeds the zone cache with a zone found earlier (e.g. when the link was verified), saving a lookup. */
  rememberZone(username: string, zone: Zone): void {
    if (!this.zones.has(username)) this.zones.set(username, zone);
  }

  /** Calls made with one API user's credentials; through `gate` when one is given. */
  as(credentials: AutotaskCredentials, gate?: RequestGate): AutotaskSession {
    return new AutotaskSession(this, credentials, gate);
  }

  /** @internal Sends an authenticated request to the user's zone. */
  async request(credentials: AutotaskCredentials, method: string, path: string, body: unknown, call: CallOptions, gate?: RequestGate): Promise<unknown> {
    const zone = await this.zoneFor(credentials.username, call);
    const url = path.startsWith('http') ? new URL(path) : new URL(`${API_VERSION}/${path}`, zone.apiUrl);
    // Absolute URLs come from Autotask's own answers (nextPageUrl): the credentials go to the user's zone and nowhere else.
    if (url.origin !== new URL(zone.apiUrl).origin) {
      throw new AutotaskError('validation', `Refusing to send credentials to ${url.origin}, outside the user's zone ${new URL(zone.apiUrl).origin}`);
    }
    const headers: Record<string, string> = {
      ApiIntegrationCode: credentials.integrationCode,
      UserName: credentials.username,
      Secret: credentials.secret,
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const send = () => this.send(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, call);
    for (let attempt = 1; ; attempt++) {
      try {
        return await (gate ? gate.run(endpointOf(url), send, call.signal) : send());
      } catch (err) {
        // A 429 means Autotask did nothing: pause (outside the gate, freeing the slot) and send it again.
        if (err instanceof AutotaskError && err.kind === 'thread_limit' && attempt < THREAD_LIMIT_ATTEMPTS) {
          await pause(err.retryAfterSeconds ? Math.min(err.retryAfterSeconds * 1000, MAX_PAUSE_MS) : backoffMs(attempt), call.signal);
          continue;
        }
        if (err instanceof AutotaskError && err.kind === 'transient' && err.status === undefined) this.zones.delete(credentials.username);
        throw err;
      }
    }
  }

  private async send(url: URL, init: RequestInit, call: CallOptions): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const endpoint = `${init.method} ${url.pathname}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, signal });
      text = await response.text();
    } catch (err) {
      if (timeout.aborted) {
        throw new AutotaskError('transient', `Autotask did not answer ${endpoint} within ${Math.round(this.options.requestTimeoutMs / 1000)} s`);
      }
      if (call.signal?.aborted) throw err;
      throw new AutotaskError('transient', `Could not reach Autotask for ${endpoint}: ${describeNetworkError(err)}`);
    }
    const json = text ? safeJson(text) : undefined;
    if (response.ok) return json;
    throw classify(response, json, endpoint);
  }
}

export class AutotaskSession {
  constructor(
    private readonly client: AutotaskClient,
    private readonly credentials: AutotaskCredentials,
    private readonly gate?: RequestGate,
  ) {}

  zone(call?: CallOptions): Promise<Zone> {
    return this.client.zoneFor(this.credentials.username, call);
  }

  /** Needs valid credentials but no entity rights: the cheapest proof that all three values are right. */
  async version(call: CallOptions = {}): Promise<AutotaskVersion> {
    return parse(versionSchema, await this.get('Version', call), 'Version');
  }

  async thresholdInformation(call: CallOptions = {}): Promise<ThresholdInformation> {
    return parse(thresholdSchema, await this.get('ThresholdInformation', call), 'ThresholdInformation');
  }

  async entityInformation(entity: string, call: CallOptions = {}): Promise<EntityInformation> {
    return parse(entityInformationSchema, await this.get(`${entity}/entityInformation`, call), `${entity}/entityInformation`).info;
  }

  /** The fields of an entity, with their picklists (values as Autotask sends them: strings). */
  async entityFields(entity: string, call: CallOptions = {}): Promise<EntityField[]> {
    return parse(fieldsSchema, await this.get(`${entity}/entityInformation/fields`, call), `${entity}/entityInformation/fields`).fields;
  }

  async count(entity: string, body: QueryBody, call: CallOptions = {}): Promise<number> {
    const answer = await this.send('POST', `${entity}/query/count`, body, call);
    return parse(z.object({ queryCount: z.number() }), answer, `${entity}/query/count`).queryCount;
  }

  /**
   * One page of a query. Pass the previous page's `nextPageUrl` to continue: Autotask binds it to the POST body, so
   * it is fetched by POST with the same body (a GET would answer 405).
   */
  async queryPage(entity: string, body: QueryBody, nextPageUrl: string | null = null, call: CallOptions = {}): Promise<QueryPage> {
    const answer = await this.send('POST', nextPageUrl ?? `${entity}/query`, body, call);
    const page = parse(pageSchema, answer, `${entity}/query`);
    return { items: page.items, nextPageUrl: page.pageDetails?.nextPageUrl ?? null };
  }

  /** Creates a ticket; Autotask answers with its id only. */
  async createTicket(fields: TicketFields, call: CallOptions = {}): Promise<number> {
    return parse(itemIdSchema, await this.send('POST', 'Tickets', withoutUnset(fields), call), 'Tickets').itemId;
  }

  /** Changes only the fields given (PATCH goes to the collection, with the id in the body). */
  async updateTicket(id: number, fields: Partial<Omit<TicketFields, 'externalID'>>, call: CallOptions = {}): Promise<void> {
    await this.send('PATCH', 'Tickets', { ...withoutUnset(fields), id }, call);
  }

  async ticket(id: number, call: CallOptions = {}): Promise<Ticket> {
    const answer = parse(z.object({ item: ticketSchema.nullable() }), await this.get(`Tickets/${id}`, call), `Tickets/${id}`);
    // Some entities answer a missing id with `{"item": null}` instead of a 404.
    if (!answer.item) throw new AutotaskError('not_found', `Autotask has no ticket ${id}`);
    return answer.item;
  }

  /** The oldest ticket carrying this externalID (Autotask does not enforce uniqueness), if any. */
  async findTicketByExternalId(externalID: string, call: CallOptions = {}): Promise<Ticket | undefined> {
    const { items } = await this.queryPage('Tickets', { filter: [{ op: 'eq', field: 'externalID', value: externalID }], MaxRecords: 50 }, null, call);
    const tickets = items.map((item) => parse(ticketSchema, item, 'Tickets/query'));
    return tickets.sort((a, b) => a.id - b.id)[0];
  }

  /** Notes are created through their ticket (`POST /TicketNotes` does not exist). */
  async createTicketNote(ticketId: number, note: TicketNote, call: CallOptions = {}): Promise<number> {
    return parse(itemIdSchema, await this.send('POST', `Tickets/${ticketId}/Notes`, { ...note, ticketID: ticketId }, call), 'Tickets/Notes').itemId;
  }

  /** Whether the ticket already has a note with this title. */
  async hasTicketNote(ticketId: number, title: string, call: CallOptions = {}): Promise<boolean> {
    const filter = [
      { op: 'eq', field: 'ticketID', value: ticketId },
      { op: 'eq', field: 'title', value: title },
    ];
    const { items } = await this.queryPage('TicketNotes', { filter, MaxRecords: 1, IncludeFields: ['id'] }, null, call);
    return items.length > 0;
  }

  private get(path: string, call: CallOptions): Promise<unknown> {
    return this.send('GET', path, undefined, call);
  }

  private send(method: string, path: string, body: unknown, call: CallOptions): Promise<unknown> {
    return this.client.request(this.credentials, method, path, body, call, this.gate);
  }
}

/** Sends of one request refused with 429 before the caller hears of it (its own retries take over then). */
const THREAD_LIMIT_ATTEMPTS = 6;

/** Longest pause before resending a 429 here; longer waits are the caller's retries' business. */
const MAX_PAUSE_MS = 30_000;

/** 0.2, 0.4, 0.8 … s, capped at 5 s, spread ±50 % so refused callers do not come back together. */
function backoffMs(attempt: number): number {
  return Math.min(5_000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random());
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The thread-limit bucket of a request: the entity segment after the version (`…/V1.0/Tickets/12/Notes` → `Tickets`). */
function endpointOf(url: URL): string {
  const segments = url.pathname.split('/');
  const version = segments.findIndex((s) => s.toLowerCase() === API_VERSION.toLowerCase());
  return segments[version + 1] ?? '';
}

function withoutUnset<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

function classify(response: Response, json: unknown, endpoint: string): AutotaskError {
  const errors = autotaskErrors(json);
  const status = response.status;
  const said = errors.length > 0 ? `: ${errors.join(' ')}` : '';
  if (status === 401) return new AutotaskError('auth_failed', `Autotask refused the credentials (401) on ${endpoint}`, errors, status);
  if (status === 403) return new AutotaskError('permission_denied', `Autotask denied access (403) to ${endpoint}${said}`, errors, status);
  if (status === 404) return new AutotaskError('not_found', `Autotask has no ${endpoint} (404)${said}`, errors, status);
  if (status === 429) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new AutotaskError('thread_limit', `Autotask asked us to slow down (429) on ${endpoint}${said}`, errors, status, retryAfter > 0 ? retryAfter : undefined);
  }
  if (errors.some((e) => /IntegrationCode is invalid/i.test(e))) {
    return new AutotaskError('auth_failed', `Autotask refused the tracking identifier on ${endpoint}${said}`, errors, status);
  }
  if (errors.some((e) => /Zone information could not be determined/i.test(e))) {
    return new AutotaskError('zone_not_found', `Autotask does not know this username${said}`, errors, status);
  }
  if (errors.some((e) => /thread threshold/i.test(e))) {
    return new AutotaskError('thread_limit', `Autotask's thread limit was exceeded on ${endpoint}${said}`, errors, status);
  }
  if (status === 500 && errors.length > 0) return new AutotaskError('validation', `Autotask rejected ${endpoint}${said}`, errors, status);
  if (status >= 400 && status < 500) {
    const message = messageOf(json);
    return new AutotaskError('validation', `Autotask rejected ${endpoint} (${status})${message ? `: ${message}` : ''}`, message ? [message] : errors, status);
  }
  return new AutotaskError('transient', `Autotask failed on ${endpoint} (${status})${said}`, errors, status);
}

function autotaskErrors(json: unknown): string[] {
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.errors.map((e) => (typeof e === 'string' ? e : e.message));
}

/** ASP.NET answers such as 405 use `{"Message": "..."}`. */
function messageOf(json: unknown): string | undefined {
  const parsed = z.object({ Message: z.string() }).safeParse(json);
  return parsed.success ? parsed.data.Message : undefined;
}

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AutotaskError('transient', `Autotask answered ${what} with an unexpected body`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error code only (ECONNRESET, UND_ERR_SOCKET…): messages can quote what was sent, the auth headers included. */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'the request could not be sent';
}
