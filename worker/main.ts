import { Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { temporalLogger } from './logger';
import { createWorker } from './worker';

async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL, 'worker');
  Runtime.install({ logger: temporalLogger(log) });
  const { worker, run } = await createWorker(config);
  log.info('worker polling', { taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE });
  await run(); // stops on SIGINT/SIGTERM (the SDK's default shutdown signals)
  log.info('worker stopped', { state: worker.getState() });
}

main().catch((err: unknown) => {
  console.error('worker failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
