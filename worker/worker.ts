import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { AutotaskClient } from '../autotask/client';
import type { Config } from '../config';
import { createDatabase } from '../db/client';
import { linkLock, tryLock } from '../db/locks';
import { RequestGates } from '../db/request-gate';
import { SecretBox } from '../security/secret-box';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped and its resources are released. */
  run(): Promise<void>;
}

/** A worker for the task queue, with its activities wired to PostgreSQL and Autotask. */
export async function createWorker(config: Config): Promise<RunningWorker> {
  // Every running activity may hold a connection (locks live on it); the rest serve their short queries.
  const database = createDatabase(config.DATABASE_URL, { max: config.WORKER_MAX_CONCURRENT_ACTIVITIES + 10 });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const activities = createActivities({
    db: database.db,
    box: new SecretBox(config.ENCRYPTION_KEY),
    autotask: new AutotaskClient({ zoneLookupUrl: config.AUTOTASK_ZONE_LOOKUP_URL, requestTimeoutMs: config.AUTOTASK_REQUEST_TIMEOUT_MS }),
    config,
    lock: linkLock(database.sql),
    gates: new RequestGates(database.sql, config.AUTOTASK_MAX_IN_FLIGHT_PER_ENDPOINT),
    tryLock: tryLock(database.sql),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    ...(config.WORKFLOW_BUNDLE_PATH
      ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } }
      : { workflowsPath: require.resolve('../workflows') }),
  });
  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await connection.close();
        await database.close();
      }
    },
  };
}
