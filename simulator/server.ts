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
import { type Account, normalizeAccount, requireAccess, userAccess } from './accounts';
import { CompanyStore } from './companies';
import { COMPANY, type EntityMeta, TICKET, TICKET_FIELDS, TICKET_NOTE, TICKET_NOTE_FIELDS } from './entities';
import { FieldStore } from './fields';
import { compileFilter, type Cursor, parseCursor, parseQueryModel, project, type QueryableStore, type Row } from './query';
import { type Ctx, type Endpoint, type Handler, header, matchRoute, parseTarget, readBody, route, type Route, searchParam } from './routing';
import { TicketNoteStore, TicketStore } from './tickets';
import type {
  AutotaskSimulator,
  CompanyRecord,
  FaultRule,
  PicklistEntity,
  PicklistEntry,
  PicklistValuePatch,
  RecordedCall,
  SimulatedCompany,
  SimulatorAccount,
  SimulatorOptions,
  TicketEdit,
  TicketNoteRecord,
  TicketRecord,
} from './types';
import { ApiError, errorReply, fail, methodNotAllowed, NOT_FOUND, ok, parseJson, type Reply, sleep, threadLimitReply } from './wire';
import { notFound } from './writes';

export type * from './types';

const MAX_BODY_BYTES = 1024 * 1024;
const HOUR_MS = 60 * 60 * 1000;

const ZONE_NAMES: Record<string, string> = {
  ws1: 'America East',
  ws5: 'America West',
  ws6: 'Pre-Release',
  ws14: 'EMEA',
};

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

class Simulator implements AutotaskSimulator {
  baseUrl = '';
  zoneLookupUrl = '';
  readonly calls: RecordedCall[] = [];

  private readonly server: http.Server;
  private threadLimit: number;
  private readonly hourlyThreshold: number;
  private readonly accounts = new Map<string, Account>();
  private readonly faults: { rule: FaultRule; remaining: number }[] = [];
  private readonly companies = new CompanyStore();
  private readonly fields: Record<PicklistEntity, FieldStore> = {
    Tickets: new FieldStore(TICKET, TICKET_FIELDS),
    TicketNotes: new FieldStore(TICKET_NOTE, TICKET_NOTE_FIELDS),
  };
  private readonly ticketStore = new TicketStore(this.fields.Tickets, this.companies);
  private readonly noteStore = new TicketNoteStore(this.fields.TicketNotes, this.ticketStore);
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

  setThreadLimit(limit: number): void {
    this.threadLimit = limit;
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

  setPicklistValue(entity: PicklistEntity, field: string, value: number, patch: PicklistValuePatch): void {
    this.fields[entity].setValue(field, value, patch);
  }

  removePicklistValue(entity: PicklistEntity, field: string, value: number): void {
    this.fields[entity].removeValue(field, value);
  }

  picklist(entity: PicklistEntity, field: string): PicklistEntry[] {
    return this.fields[entity].entries(field);
  }

  tickets(): TicketRecord[] {
    return structuredClone(this.ticketStore.rows());
  }

  ticket(id: number): TicketRecord | undefined {
    return structuredClone(this.ticketStore.get(id));
  }

  notes(ticketId?: number): TicketNoteRecord[] {
    return structuredClone(ticketId === undefined ? this.noteStore.rows() : this.noteStore.ofTicket(ticketId));
  }

  updateTicket(id: number, edit: TicketEdit): TicketRecord {
    return structuredClone(this.ticketStore.edit(id, definedOnly(edit)));
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
        routes: [entityInformationRoute(TICKET), fieldsRoute(this.fields.Tickets), ...this.ticketRoutes(), ...this.queryRoutes(this.ticketStore)],
      },
      // No root POST: notes are created under their ticket, and POST /TicketNotes is a 404 as on the real API.
      {
        name: TICKET_NOTE.endpoint,
        authenticated: true,
        routes: [entityInformationRoute(TICKET_NOTE), fieldsRoute(this.fields.TicketNotes), ...this.queryRoutes(this.noteStore)],
      },
    ];
    return new Map(endpoints.map((e) => [e.name.toLowerCase(), e]));
  }

  /**
   * Ticket writes and the notes child path. PATCH goes to the collection with the id in the body; PATCH /Tickets/{id} is a
   * 405 because only GET serves that path. Notes live in the Tickets thread bucket, as the bucket is the segment after V1.0.
   */
  private ticketRoutes(): Route[] {
    const notesOf = (ticketId: number) => {
      if (!this.ticketStore.get(ticketId)) fail(404, notFound(TICKET, ticketId));
      return this.noteStore.ofTicket(ticketId);
    };
    return [
      route('POST', '', (ctx) => {
        requireAccess(ctx, TICKET, 'create');
        return ok({ itemId: this.ticketStore.create(ctx.json()) });
      }),
      route('PATCH', '', (ctx) => {
        requireAccess(ctx, TICKET, 'update');
        return ok({ itemId: this.ticketStore.update(ctx.json()) });
      }),
      route('POST', ':id/Notes', (ctx) => {
        requireAccess(ctx, TICKET_NOTE, 'create');
        return ok({ itemId: this.noteStore.create(ctx.params.id, ctx.json()) });
      }),
      // Unpaged: the query shape with every note of the ticket, far fewer than a page (500) in any test.
      route('GET', ':id/Notes', (ctx) => {
        requireAccess(ctx, TICKET_NOTE, 'query');
        const items = notesOf(ctx.params.id).map((note) => project(note, null, this.noteStore));
        return ok({ items, pageDetails: { count: items.length, requestCount: 500, prevPageUrl: null, nextPageUrl: null } });
      }),
      route('GET', ':id/Notes/:noteId', (ctx) => {
        requireAccess(ctx, TICKET_NOTE, 'query');
        const note = notesOf(ctx.params.id).find((n) => n.id === ctx.params.noteId);
        return note ? ok({ item: project(note, null, this.noteStore) }) : errorReply(404, notFound(TICKET_NOTE, ctx.params.noteId));
      }),
    ];
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
      route('POST', 'query/next', guarded((ctx) => {
        // The cursor is bound to the query it continues: another body is refused (a missing one fails as on any query).
        const body = ctx.json();
        if (body !== undefined && JSON.stringify(body) !== (ctx.param('search') ?? '')) {
          return errorReply(500, 'The query body must be the one the paging cursor was issued for.');
        }
        return this.queryPage(ctx, store, body, parseCursor(ctx.param('paging')), 'POST');
      })),
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
        return row ? ok({ item: project(row, null, store) }) : errorReply(404, notFound(entity, ctx.params.id));
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
    if (fault?.loseResponse) {
      // The request took effect; only its answer is lost, as when a connection breaks after the server committed.
      req.socket.destroy();
      finish(0);
      return;
    }
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

/** Answers from the simulator's current field data, so picklist edits show on the next refresh. */
function fieldsRoute(fields: FieldStore): Route {
  return route('GET', 'entityInformation/fields', () => ok({ fields: fields.snapshot() }));
}

export async function startAutotaskSimulator(options: SimulatorOptions = {}): Promise<AutotaskSimulator> {
  const simulator = new Simulator(options);
  await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return simulator;
}
