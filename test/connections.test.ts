import { randomBytes } from 'node:crypto';
import { createDatabase } from '../db/client';
import { beginLinkAttempt, deleteConnection, findConnection, readAttemptCredentials, recordOutcome } from '../db/connections';
import { SecretBox } from '../security/secret-box';

const database = createDatabase(process.env.TEST_DATABASE_URL!);
const box = new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
const zone = { name: 'EMEA', apiUrl: 'https://webservices14.autotask.net/ATServicesRest/', webUrl: 'https://ww14.autotask.net/' };
const first = { username: 'first@msp.example', secret: 'first-secret', integrationCode: 'CODE1' };
const second = { username: 'second@msp.example', secret: 'second-secret', integrationCode: 'CODE2' };

afterAll(() => database.close());

describe('the stored link', () => {
  it('lets only the newest attempt read its credentials and write its outcome', async () => {
    const orgId = `org-repo-${Date.now()}`;
    const older = await beginLinkAttempt(database.db, box, orgId, first);
    const newer = await beginLinkAttempt(database.db, box, orgId, second);

    expect(await readAttemptCredentials(database.db, box, older)).toBeUndefined();
    expect(await readAttemptCredentials(database.db, box, newer)).toEqual(second);

    const failed = { status: 'failed', failure: { code: 'auth_failed', message: 'm', detail: 'd' } } as const;
    expect(await recordOutcome(database.db, newer, failed)).toBe(true);
    // The older verification finishes last, and successfully: it must not overwrite the newer outcome.
    expect(await recordOutcome(database.db, older, { status: 'connected', zone, requestThreshold: 10_000 })).toBe(false);
    expect(await findConnection(database.db, orgId)).toMatchObject({ status: 'failed', username: second.username, failureCode: 'auth_failed' });
    // An outcome is written once: a replayed activity cannot flip it, and a retried write that had landed says so.
    expect(await recordOutcome(database.db, newer, { status: 'connected', zone, requestThreshold: 10_000 })).toBe(false);
    expect(await recordOutcome(database.db, newer, failed)).toBe(true);
  });

  it('keeps the secret and tracking identifier only sealed, and forgets them on unlink', async () => {
    const orgId = `org-repo-${Date.now()}-b`;
    const attempt = await beginLinkAttempt(database.db, box, orgId, first);
    const row = await findConnection(database.db, orgId);
    expect(JSON.stringify(row)).not.toContain(first.secret);
    expect(JSON.stringify(row)).not.toContain(first.integrationCode);

    expect(await deleteConnection(database.db, orgId)).toBe(true);
    expect(await findConnection(database.db, orgId)).toBeUndefined();
    expect(await readAttemptCredentials(database.db, box, attempt)).toBeUndefined();
    expect(await recordOutcome(database.db, attempt, { status: 'connected', zone, requestThreshold: 10_000 })).toBe(false);
  });
});
