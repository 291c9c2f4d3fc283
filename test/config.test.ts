import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config';

const key = `k1:${randomBytes(32).toString('base64')}`;
const minimal = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', ENCRYPTION_KEY: key };

describe('configuration', () => {
  it('fills the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      PORT: 3000,
      AUTOTASK_ZONE_LOOKUP_URL: 'https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation',
      AUTOTASK_REQUEST_TIMEOUT_MS: 150_000,
      LINK_VERIFY_DEADLINE_MS: 600_000,
    });
    expect(config.API_TOKENS.size).toBe(0);
  });

  it('parses API tokens with their scope', () => {
    const config = loadConfig({ ...minimal, API_TOKENS: 'tok-a-0123456789abcdef:org-a, platform-tok-0123456789:*' });
    expect([...config.API_TOKENS]).toEqual([
      ['tok-a-0123456789abcdef', 'org-a'],
      ['platform-tok-0123456789', '*'],
    ]);
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: undefined }, 'DATABASE_URL'],
    [{ ENCRYPTION_KEY: 'k1:c2hvcnQ=' }, 'ENCRYPTION_KEY'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ API_TOKENS: 'no-scope-here' }, 'API_TOKENS'],
    [{ API_TOKENS: 'short:org-a' }, 'API_TOKENS'],
    [{ AUTOTASK_REQUEST_TIMEOUT_MS: '-5' }, 'AUTOTASK_REQUEST_TIMEOUT_MS'],
    [{ AUTOTASK_ZONE_LOOKUP_URL: 'not a url' }, 'AUTOTASK_ZONE_LOOKUP_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AUTOTASK_REQUEST_TIMEOUT_MS: '200000' }, 'LINK_ATTEMPT_TIMEOUT_MS'],
    [{ LINK_HEARTBEAT_TIMEOUT_MS: '500000' }, 'LINK_HEARTBEAT_TIMEOUT_MS'],
  ])('refuses %p naming %s', (override, variable) => {
    expect(() => loadConfig({ ...minimal, ...override })).toThrow(new RegExp(`^Invalid configuration:\\n  ${variable}: `));
  });

  it('never echoes a bad value back (it may be a secret)', () => {
    const secretish = 'topsecret-value-that-is-wrong';
    expect(() => loadConfig({ ...minimal, ENCRYPTION_KEY: secretish })).toThrow(/ENCRYPTION_KEY/);
    expect(() => loadConfig({ ...minimal, ENCRYPTION_KEY: secretish })).not.toThrow(new RegExp(secretish));
  });
});
