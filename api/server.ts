import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { createDatabase } from '../db/client';
import { linkLock } from '../db/locks';
import { SecretBox } from '../security/secret-box';
import { connectTemporalClient } from '../temporal/connection';
import { createApp } from './app';
import { ConnectionEvents } from './connection-events';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP API with its database pool, change listener and Temporal client. */
export async function startApi(config: Config, log: Logger): Promise<RunningApi> {
  const { db, sql, close: closeDb } = createDatabase(config.DATABASE_URL);
  const temporal = await connectTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const events = new ConnectionEvents();
  await events.start(sql);
  const app = createApp({
    config,
    db,
    box: new SecretBox(config.ENCRYPTION_KEY),
    temporal,
    events,
    lock: linkLock(sql),
    log,
    probes: {
      database: () => sql`select 1`,
      temporal: () => temporal.connection.ensureConnected(),
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s)).on('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST}:${port}`;
  log.info('API listening', { url });
  return {
    url,
    async close() {
      await events.stop();
      server.closeAllConnections(); // ends waiting long-polls too, so the server can close
      await new Promise((resolve) => server.close(resolve));
      await temporal.connection.close();
      await closeDb();
    },
  };
}
