import { z } from 'zod';
import {
  alertBatchResultSchema,
  alertEventSchema,
  alertPageSchema,
  alertSchema,
  catalogStatusSchema,
  companyPageSchema,
  configurationSchema,
  connectionSchema,
  errorSchema,
  linkRequestSchema,
  mappingPatchSchema,
  picklistsSchema,
  refreshRequestSchema,
  suggestionsSchema,
  tenantRequestSchema,
  tenantSchema,
} from './schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: ref(schema) } } });
const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${z.globalRegistry.get(schema)?.id}` });
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { description: errorDescriptions[s], ...json(errorSchema) }]));

const errorDescriptions: Record<number, string> = {
  400: 'Invalid input; `details` names each field',
  401: 'Missing or unknown API token',
  403: 'The token is scoped to another org',
  413: 'Body too large',
  404: 'No such alert in this org',
  409: 'Autotask is not linked (catalog refresh); an alert sent under another tenant, or with nothing to retry (alerts)',
  412: 'If-Match names an older version: reload and apply the change again',
  415: 'Body is not JSON',
  422: 'A value is unknown or inactive in the catalog; `details` names each field and what is allowed',
  503: 'Temporal is unavailable; nothing was started',
};

const orgParam = { name: 'orgId', in: 'path', required: true, schema: { type: 'string' } };
const query = (name: string, description: string, type = 'string') => ({ name, in: 'query', required: false, description, schema: { type } });
const ok = (schema: z.ZodType, description = 'OK') => ({ 200: { description, ...json(schema) } });

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function openApiDocument() {
  // Every schema registered with an id (`.meta({ id })`) becomes a component, referenced by `#/components/schemas/<id>`.
  const { schemas } = z.toJSONSchema(z.globalRegistry, { target: 'openapi-3.0', uri: (id) => `#/components/schemas/${id}` });
  for (const schema of Object.values(schemas)) delete schema.$id; // OpenAPI 3.0 has no $id
  return {
    openapi: '3.0.3',
    info: { title: 'Petra ↔ Autotask sync engine', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
    security: [{ bearer: [] }],
    paths: {
      '/v1/orgs/{orgId}/autotask/connection': {
        parameters: [orgParam],
        get: {
          summary: 'Read the link. With `If-None-Match: <ETag>` and `Prefer: wait=<seconds>` it waits for a change (long-poll) and answers 304 if none came.',
          responses: { 200: { description: 'The link', ...json(connectionSchema) }, 304: { description: 'Unchanged after the wait' }, ...errors(400, 401, 403) },
        },
        put: {
          summary: 'Save credentials and start verifying them in the background.',
          requestBody: { required: true, ...json(linkRequestSchema) },
          responses: { 202: { description: 'Verifying', ...json(connectionSchema) }, ...errors(400, 401, 403, 413, 415, 503) },
        },
        delete: { summary: 'Unlink and delete the stored credentials.', responses: { 204: { description: 'Unlinked' }, ...errors(400, 401, 403) } },
      },
      '/v1/orgs/{orgId}/tenants': {
        parameters: [orgParam],
        get: { summary: "List the org's Petra tenants.", responses: { 200: { description: 'Tenants', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: ref(tenantSchema) } } } } } }, ...errors(401, 403) } },
      },
      '/v1/orgs/{orgId}/tenants/{tenantId}': {
        parameters: [orgParam, { name: 'tenantId', in: 'path', required: true, schema: { type: 'string' } }],
        put: {
          summary: 'Register or update a tenant (its mapping is kept).',
          requestBody: { required: true, ...json(tenantRequestSchema) },
          responses: { 200: { description: 'Updated', ...json(tenantSchema) }, 201: { description: 'Registered', ...json(tenantSchema) }, ...errors(400, 401, 403, 415) },
        },
      },
      '/v1/orgs/{orgId}/autotask/mappings': {
        parameters: [orgParam],
        get: { summary: 'The mapping configuration with its health; the ETag is its version.', responses: { ...ok(configurationSchema), ...errors(401, 403) } },
        patch: {
          summary: 'Change any subset of the configuration; saved at once. Send If-Match: "<version>" to refuse overwriting a newer change.',
          requestBody: { required: true, ...json(mappingPatchSchema) },
          responses: { ...ok(configurationSchema, 'Saved'), ...errors(400, 401, 403, 412, 415, 422) },
        },
      },
      '/v1/orgs/{orgId}/autotask/mappings/suggestions': {
        parameters: [orgParam],
        get: { summary: 'A company for each unmapped tenant, where exactly one active company matches by name or domain.', responses: { ...ok(suggestionsSchema), ...errors(401, 403) } },
      },
      '/v1/orgs/{orgId}/autotask/catalog': {
        parameters: [orgParam],
        get: { summary: 'The running refresh (with progress), the last one, and what the catalog holds.', responses: { ...ok(catalogStatusSchema), ...errors(401, 403) } },
      },
      '/v1/orgs/{orgId}/autotask/catalog/companies': {
        parameters: [
          orgParam,
          query('q', 'part of the name'),
          query('limit', '1–200, default 50', 'integer'),
          query('cursor', 'nextCursor of the previous page'),
          query('includeInactive', 'true to list inactive companies too', 'boolean'),
        ],
        get: { summary: 'Companies by name, keyset-paged.', responses: { ...ok(companyPageSchema), ...errors(400, 401, 403) } },
      },
      '/v1/orgs/{orgId}/autotask/catalog/picklists': {
        parameters: [orgParam, query('includeInactive', 'true to list inactive values too', 'boolean')],
        get: { summary: 'Ticket and note picklists; active values are the choices.', responses: { ...ok(picklistsSchema), ...errors(401, 403) } },
      },
      '/v1/orgs/{orgId}/autotask/catalog/refresh': {
        parameters: [orgParam],
        post: {
          summary: 'Refresh now, or join the refresh already running.',
          requestBody: { required: false, ...json(refreshRequestSchema) },
          responses: { 202: { description: 'Running' }, ...errors(400, 401, 403, 409) },
        },
      },
      '/v1/orgs/{orgId}/alerts': {
        parameters: [orgParam],
        post: {
          summary: 'Deliver one alert event (an object) or a batch of 1–100 (an array). Each accepted event is recorded by its alert\'s workflow before the answer.',
          requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [ref(alertEventSchema), { type: 'array', minItems: 1, maxItems: 100, items: ref(alertEventSchema) }] } } } },
          responses: {
            202: { description: 'Accepted (a batch: at least one event; each event has its own result)', ...json(alertBatchResultSchema) },
            ...errors(400, 401, 403, 409, 413, 415, 503),
          },
        },
        get: {
          summary: 'Alerts in id order, keyset-paged.',
          parameters: [
            query('state', 'waiting_for_connection, waiting_for_mapping, creating, synced or failed'),
            query('tenantId', 'only this tenant'),
            query('limit', '1–200, default 50', 'integer'),
            query('cursor', 'nextCursor of the previous page'),
          ],
          responses: { ...ok(alertPageSchema), ...errors(400, 401, 403) },
        },
      },
      '/v1/orgs/{orgId}/alerts/{alertId}': {
        parameters: [orgParam, { name: 'alertId', in: 'path', required: true, schema: { type: 'string' } }],
        get: { summary: "Where the alert stands in Autotask: state, ticket, revisions, Autotask's last error.", responses: { ...ok(alertSchema), ...errors(400, 401, 403, 404) } },
      },
      '/v1/orgs/{orgId}/alerts/{alertId}/retry': {
        parameters: [orgParam, { name: 'alertId', in: 'path', required: true, schema: { type: 'string' } }],
        post: {
          summary: 'Try a failed or waiting alert again now.',
          responses: { 202: { description: 'Retrying', ...json(alertSchema) }, ...errors(400, 401, 403, 404, 409, 503) },
        },
      },
      '/healthz': { get: { security: [], summary: 'The process is up', responses: { 200: { description: 'OK' } } } },
      '/readyz': { get: { security: [], summary: 'PostgreSQL and Temporal are reachable', responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } } } },
    },
  };
}
