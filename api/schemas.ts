import { z } from 'zod';

export const orgIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an org id is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** A required string whose messages say what the field is, whether it is missing, empty or not a string. */
const requiredText = (what: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .trim()
    .min(1, `${what} is required`)
    .max(max, `${what} is at most ${max} characters`);

export const linkRequestSchema = z
  .strictObject(
    {
      username: requiredText("the Autotask API user's username", 128),
      secret: requiredText("the Autotask API user's password (secret)", 256),
      integrationCode: requiredText('the API tracking identifier', 64),
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
  code: z.enum(['auth_failed', 'permission_denied', 'timeout']),
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
