import { z } from 'zod';
import { connectionSchema, errorSchema, linkRequestSchema } from './schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: ref(schema) } } });
const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${z.globalRegistry.get(schema)?.id}` });
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { description: errorDescriptions[s], ...json(errorSchema) }]));

const errorDescriptions: Record<number, string> = {
  400: 'Invalid input; `details` names each field',
  401: 'Missing or unknown API token',
  403: 'The token is scoped to another org',
  413: 'Body too large',
  415: 'Body is not JSON',
  503: 'Temporal is unavailable; nothing was started',
};

const orgParam = { name: 'orgId', in: 'path', required: true, schema: { type: 'string' } };

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
      '/healthz': { get: { security: [], summary: 'The process is up', responses: { 200: { description: 'OK' } } } },
      '/readyz': { get: { security: [], summary: 'PostgreSQL and Temporal are reachable', responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } } } },
    },
  };
}
