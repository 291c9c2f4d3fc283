import { z } from 'zod';
import { alertStates, refreshModes } from '../db/schema';
import { REOPEN_POLICIES } from '../mapping/configuration';
import { ALERT_SEVERITIES, ALERT_STATUSES, LINK_FAILURE_CODES } from '../workflows/shared';

export const orgIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an org id is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Text without control characters: PostgreSQL refuses NUL, and line breaks have no place in names. */
const NO_CONTROL_CHARACTERS = /^[^\x00-\x1F\x7F]*$/;
/** What an HTTP header can carry (printable Latin-1): credentials travel to Autotask as headers. */
const HEADER_SAFE = /^[\x20-\x7E\xA0-\xFF]*$/;

/** A required string whose messages say what the field is, whether it is missing, empty or not a string. */
const requiredString = (what: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .min(1, `${what} is required`)
    .max(max, `${what} is at most ${max} characters`);

const requiredText = (what: string, max: number) =>
  requiredString(what, max)
    .trim()
    .min(1, `${what} is required`)
    .regex(NO_CONTROL_CHARACTERS, `${what} must not contain line breaks or control characters`);

/** Sent to Autotask as a header, so it must fit in one. A secret is never trimmed: it is exactly what was typed. */
const credential = (what: string, max: number, { trim }: { trim: boolean }) =>
  (trim ? requiredString(what, max).trim().min(1, `${what} is required`) : requiredString(what, max)).regex(
    HEADER_SAFE,
    `${what} may only contain printable characters (no line breaks, control or non-Latin characters)`,
  );

export const linkRequestSchema = z
  .strictObject(
    {
      username: credential("the Autotask API user's username", 128, { trim: true }),
      secret: credential("the Autotask API user's password (secret)", 256, { trim: false }),
      integrationCode: credential('the API tracking identifier', 64, { trim: true }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field; send only username, secret and integrationCode` : 'send a JSON object') },
  )
  .meta({ id: 'LinkRequest', description: 'The credentials of the Autotask API user (Security Level "API User (system)").' });
export type LinkRequest = z.infer<typeof linkRequestSchema>;

const zoneSchema = z.object({
  name: z.string().meta({ example: 'America West' }),
  apiUrl: z.string(),
  webUrl: z.string(),
});

const failureSchema = z.object({
  code: z.enum(LINK_FAILURE_CODES),
  message: z.string().meta({ description: 'What to do about it, in the terms of the linking guide.' }),
  detail: z.string().meta({ description: "Autotask's own error text, or what was observed." }),
});

export const connectionSchema = z
  .object({
    orgId: z.string(),
    status: z.enum(['not_linked', 'verifying', 'connected', 'failed']),
    username: z.string().optional(),
    zone: zoneSchema.optional(),
    failure: failureSchema.optional(),
    requestedAt: z.iso.datetime().optional(),
    verifiedAt: z.iso.datetime().optional(),
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Connection', description: 'The Autotask link of an org. The secret is never returned.' });
export type ConnectionResource = z.infer<typeof connectionSchema>;

export const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .meta({ id: 'Error' });

export const waitHeaderSchema = z.object({
  /** RFC 7240 `Prefer: wait=N`. */
  wait: z.coerce.number().int().min(0),
});

export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a tenant id is 1–128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/, 'a domain name such as contoso.com');

export const tenantRequestSchema = z
  .strictObject({
    name: requiredText("the tenant's name", 256),
    domains: z.array(domainSchema).max(100, 'at most 100 domains').default([]),
  })
  .meta({ id: 'TenantRequest', description: 'A Petra tenant (a Microsoft 365 customer of the MSP).' });

export const tenantSchema = z
  .object({ tenantId: z.string(), name: z.string(), domains: z.array(z.string()), companyId: z.number().int().nullable() })
  .meta({ id: 'Tenant' });

/** A picklist value id as Autotask numbers it, or `null` to clear the setting. */
const INT32_MAX = 2_147_483_647; // Autotask's ids are int32, and so are our columns
const picklistChoice = z.number({ error: 'must be a picklist value id (an integer) or null' }).int('must be an integer').min(-INT32_MAX).max(INT32_MAX).nullable().optional();

export const mappingPatchSchema = z
  .strictObject({
    tenants: z
      .record(tenantIdSchema, z.number({ error: 'must be an Autotask company id or null' }).int().min(0).max(INT32_MAX).nullable())
      .optional()
      .meta({ description: 'Tenant id → Autotask company id, or null to unmap.' }),
    queue: picklistChoice,
    creationStatus: picklistChoice,
    updateStatus: picklistChoice,
    resolutionStatus: picklistChoice,
    priorities: z.strictObject({ low: picklistChoice, medium: picklistChoice, high: picklistChoice, critical: picklistChoice }).optional(),
    issueType: picklistChoice,
    subIssueType: picklistChoice,
    source: picklistChoice,
    ticketType: picklistChoice,
    noteType: picklistChoice,
    notePublish: picklistChoice,
    catchAllCompany: z
      .number({ error: 'must be an Autotask company id or null' })
      .int()
      .min(0)
      .max(INT32_MAX)
      .nullable()
      .optional()
      .meta({ description: 'Alerts of unmapped tenants open tickets in this company; null makes them wait for a mapping.' }),
    reopenPolicy: z
      .enum(REOPEN_POLICIES, { error: 'must be "reopen" (reopen the resolved ticket) or "new" (open a new ticket naming the old one)' })
      .optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one setting or tenant mapping')
  .meta({ id: 'MappingPatch', description: 'Any subset of the configuration; each value is checked against the catalog.' });
export type MappingPatch = z.infer<typeof mappingPatchSchema>;

export const companySearchSchema = z.object({
  q: z.string().trim().max(200).regex(NO_CONTROL_CHARACTERS, 'must not contain control characters').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
  includeInactive: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

/** The keyset position inside a company cursor: the lower-cased name and id of the last company seen. */
export const companyCursorSchema = z.tuple([z.string().max(1000).regex(NO_CONTROL_CHARACTERS), z.number().int().min(0).max(INT32_MAX)]);

export const refreshRequestSchema = z
  .strictObject({ full: z.boolean().default(false) })
  .meta({ id: 'RefreshRequest', description: 'full: read every company again, not only the changed ones.' });

// Response shapes: the handlers build their answers as these types, so the OpenAPI document cannot drift from them.

const valueHealth = z.enum(['ok', 'value_inactive', 'value_missing', 'unset']);
const settingSchema = z.object({ value: z.number().int().nullable(), label: z.string().nullable(), health: valueHealth, required: z.boolean() });

export const configurationSchema = z
  .object({
    orgId: z.string(),
    version: z.number().int().meta({ description: 'Also the ETag; send it back as If-Match to refuse overwriting a newer change.' }),
    updatedAt: z.string().nullable(),
    tenants: z.array(
      z.object({
        tenantId: z.string(),
        name: z.string(),
        domains: z.array(z.string()),
        companyId: z.number().int().nullable(),
        companyName: z.string().nullable(),
        health: z.enum(['ok', 'company_inactive', 'company_missing', 'unmapped']),
      }),
    ),
    settings: z.object({
      queue: settingSchema,
      creationStatus: settingSchema,
      updateStatus: settingSchema,
      resolutionStatus: settingSchema,
      issueType: settingSchema,
      subIssueType: settingSchema,
      source: settingSchema,
      ticketType: settingSchema,
      noteType: settingSchema,
      notePublish: settingSchema,
      catchAllCompany: z.object({
        value: z.number().int().nullable(),
        label: z.string().nullable(),
        health: z.enum(['ok', 'company_inactive', 'company_missing', 'unmapped']),
      }),
      reopenPolicy: z.enum(REOPEN_POLICIES),
      priorities: z.object({ low: settingSchema, medium: settingSchema, high: settingSchema, critical: settingSchema }),
    }),
    summary: z.object({
      tenants: z.number().int(),
      mapped: z.number().int(),
      unmapped: z.number().int(),
      tenantsNeedingAttention: z.number().int(),
      settingsNeedingAttention: z.number().int(),
    }),
  })
  .meta({ id: 'Configuration', description: 'The mapping configuration with the health of each part after the last refresh.' });
export type ConfigurationResource = z.infer<typeof configurationSchema>;

const candidate = z.object({ companyId: z.number().int(), companyName: z.string(), reason: z.enum(['name', 'domain']) });
export const suggestionsSchema = z
  .object({
    suggestions: z.array(candidate.extend({ tenantId: z.string() })),
    ambiguous: z.array(z.object({ tenantId: z.string(), candidates: z.array(candidate) })),
  })
  .meta({ id: 'Suggestions', description: 'Proposals for unmapped tenants; apply one with a PATCH.' });

export const catalogStatusSchema = z
  .object({
    orgId: z.string(),
    running: z
      .object({ mode: z.enum(refreshModes).nullable(), startedAt: z.string().optional(), pagesDone: z.number().int(), pagesExpected: z.number().int().nullable() })
      .nullable(),
    lastRefresh: z
      .object({
        mode: z.enum(refreshModes).nullable(),
        outcome: z.enum(['succeeded', 'failed']).nullable(),
        error: z.string().nullable(),
        startedAt: z.string().optional(),
        finishedAt: z.string(),
        companyRows: z.number().int().nullable(),
        picklistValues: z.number().int().nullable(),
        pageCalls: z.number().int().nullable(),
      })
      .nullable(),
    companies: z.object({ total: z.number().int(), active: z.number().int() }),
    picklistValues: z.number().int(),
    schedule: z.object({ everyMs: z.number().int(), fullEveryMs: z.number().int() }),
  })
  .meta({ id: 'CatalogStatus' });
export type CatalogStatus = z.infer<typeof catalogStatusSchema>;

export const companyPageSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        type: z.number().int().nullable(),
        isActive: z.boolean(),
        webAddress: z.string().nullable(),
        lastModifiedAt: z.string().nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'CompanyPage' });
export type CompanyPage = z.infer<typeof companyPageSchema>;

export const picklistsSchema = z
  .object({
    picklists: z.record(
      z.string().meta({ description: '`Tickets.status`, `Tickets.queueID`, `TicketNotes.publish`, …' }),
      z.array(z.object({ value: z.number().int(), label: z.string(), isActive: z.boolean(), isDefault: z.boolean(), parentValue: z.number().int().nullable() })),
    ),
  })
  .meta({ id: 'Picklists' });
export type Picklists = z.infer<typeof picklistsSchema>;

/** How many events one POST may carry. */
export const MAX_ALERT_BATCH = 100;
/** Longer descriptions are accepted and cut to Autotask's 8,000 characters on the ticket. */
const MAX_ALERT_DESCRIPTION = 32_000;

export const alertIdSchema = z
  .string({ error: 'alertId is required' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'an alert id is 1–128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

export const alertEventSchema = z
  .strictObject(
    {
      tenantId: tenantIdSchema,
      alertId: alertIdSchema,
      revision: z
        .number({ error: 'revision must be an integer that grows with every change of the alert' })
        .int('revision must be an integer')
        .min(0, 'revision must be 0 or more')
        .max(INT32_MAX),
      status: z.enum(ALERT_STATUSES, { error: `status must be one of ${ALERT_STATUSES.join(', ')}` }),
      severity: z.enum(ALERT_SEVERITIES, { error: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` }),
      title: requiredText('title', 2_000),
      description: z
        .string({ error: 'description must be a string' })
        .max(MAX_ALERT_DESCRIPTION, `description is at most ${MAX_ALERT_DESCRIPTION} characters`)
        .refine((text) => !text.includes('\u0000'), 'description must not contain NUL characters'),
      url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2_000).optional(),
      occurredAt: z.iso.datetime({ offset: true, error: 'occurredAt must be an ISO-8601 date-time, e.g. 2026-12-03T17:00:00Z' }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : 'an alert event is a JSON object') },
  )
  .meta({ id: 'AlertEvent', description: 'One delivery of an alert; `revision` orders the deliveries of one alert.' });

export const alertListQuerySchema = z.strictObject({
  state: z.enum(alertStates, { error: `state must be one of ${alertStates.join(', ')}` }).optional(),
  tenantId: tenantIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: alertIdSchema.optional(),
});

const eventResultSchema = z.object({
  index: z.number().int(),
  alertId: z.string().nullable(),
  revision: z.number().int().nullable(),
  status: z.number().int().meta({ description: '202 accepted, 400 invalid, 409 conflicting tenant, 503 try again.' }),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
});
export type EventResult = z.infer<typeof eventResultSchema>;

export const alertBatchResultSchema = z
  .object({ accepted: z.number().int(), rejected: z.number().int(), results: z.array(eventResultSchema) })
  .meta({ id: 'AlertBatchResult', description: 'One result per event, in the order sent.' });
export type AlertBatchResult = z.infer<typeof alertBatchResultSchema>;

export const alertSchema = z
  .object({
    orgId: z.string(),
    alertId: z.string(),
    tenantId: z.string(),
    state: z.enum(alertStates),
    ticket: z
      .object({
        id: z.number().int(),
        number: z.string().nullable(),
        url: z.string().nullable().meta({ description: 'Opens the ticket in the Autotask web UI.' }),
      })
      .nullable(),
    previousTicketNumber: z.string().nullable(),
    lastReceivedRevision: z.number().int(),
    lastAppliedRevision: z.number().int().nullable(),
    lastError: z.object({ message: z.string(), at: z.string() }).nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Alert', description: 'Where an alert stands in Autotask.' });
export type AlertResource = z.infer<typeof alertSchema>;

export const alertPageSchema = z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() }).meta({ id: 'AlertPage' });
export type AlertPage = z.infer<typeof alertPageSchema>;
