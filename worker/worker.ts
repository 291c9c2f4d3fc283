import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { AutotaskClient } from '../autotask/client';
import type { Config } from '../config';
import { createDatabase } from '../db/client';
import { linkLock } from '../db/locks';
import { SecretBox } from '../security/secret-box';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped and its resources are released. */
  run(): Promise<void>;
}

/** A worker for the task queue, with its activities wired to PostgreSQL and Autotask. */
export async function createWorker(config: Config): Promise<RunningWorker> {
  const database = createDatabase(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const activities = createActivities({
    db: database.db,
    box: new SecretBox(config.ENCRYPTION_KEY),
    autotask: new AutotaskClient({ zoneLookupUrl: config.AUTOTASK_ZONE_LOOKUP_URL, requestTimeoutMs: config.AUTOTASK_REQUEST_TIMEOUT_MS }),
    config,
    lock: linkLock(database.sql),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
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
