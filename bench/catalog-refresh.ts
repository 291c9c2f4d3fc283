// Benchmark: refreshing an org's catalog of N companies against the Autotask simulator, through the real workflow,
// worker, Temporal dev server and PostgreSQL. Prints Autotask calls, wall time and peak memory.
//   npm run bench:catalog -- [companies=10000] [latencyMs=0]
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createDatabase } from '../db/client';
import { beginLinkAttempt, recordOutcome } from '../db/connections';
import { createScratchDatabase } from '../scripts/scratch-database';
import { startTemporal } from '../scripts/temporal-cli';
import { SecretBox } from '../security/secret-box';
import { startAutotaskSimulator } from '../simulator/server';
import type { refreshAutotaskCatalog } from '../workflows/catalog';
import { catalogRefreshWorkflowId } from '../workflows/shared';
import { createWorker } from '../worker/worker';

const companies = Number(process.argv[2] ?? 10_000);
const latencyMs = Number(process.argv[3] ?? 0);
const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main() {
  Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const temporalServer = await startTemporal({ ip: '127.0.0.1', port: 17_233, namespace: 'default' });

  const scratch = await createScratchDatabase(adminUrl, 'petra_bench');

  const sim = await startAutotaskSimulator({
    companies: Array.from({ length: companies }, (_, i) => ({
      id: i + 1,
      companyName: `Company ${i + 1}`,
      webAddress: `https://company${i + 1}.example`,
      lastTrackedModifiedDateTime: new Date(Date.now() - ((i % 365) + 1) * 86_400_000).toISOString(), // changed over the past year
    })),
  });
  const account = { username: 'bench@msp.example', secret: 'bench-secret', integrationCode: 'BENCHTRACKINGID000000000001' };
  sim.addAccount(account);
  if (latencyMs > 0) sim.inject({ latencyMs });

  const config = loadConfig({
    DATABASE_URL: scratch.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: 'bench',
    ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    AUTOTASK_ZONE_LOOKUP_URL: sim.zoneLookupUrl,
    LOG_LEVEL: 'error',
  });
  const database = createDatabase(config.DATABASE_URL);
  const orgId = 'bench-org';
  const attempt = await beginLinkAttempt(database.db, new SecretBox(config.ENCRYPTION_KEY), orgId, account);
  const zone = { name: 'America West', apiUrl: `${sim.baseUrl}/ws5/ATServicesRest/`, webUrl: `${sim.baseUrl}/ww5/` };
  await recordOutcome(database.db, attempt, { status: 'connected', zone, requestThreshold: 10_000 });

  const worker = await createWorker(config);
  const running = worker.run();
  const connection = await Connection.connect({ address: temporalServer.address });
  const client = new Client({ connection });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

  const run = async (label: string, full: boolean) => {
    sim.resetCalls();
    const started = performance.now();
    const summary = await client.workflow.execute<typeof refreshAutotaskCatalog>('refreshAutotaskCatalog', {
      taskQueue: 'bench',
      workflowId: `${catalogRefreshWorkflowId(orgId)}-${label}`,
      args: [{ orgId, full, fullEveryMs: 86_400_000 }],
    });
    const ms = performance.now() - started;
    const byEndpoint: Record<string, number> = {};
    for (const call of sim.calls) byEndpoint[call.path.replace('/V1.0/', '')] = (byEndpoint[call.path.replace('/V1.0/', '')] ?? 0) + 1;
    console.log(
      `${label.padEnd(12)} ${summary.mode.padEnd(12)} rows ${String(summary.companyRows).padStart(6)}  Autotask calls ${String(sim.calls.length).padStart(3)}  wall ${(ms / 1000).toFixed(2)} s  ${JSON.stringify(byEndpoint)}`,
    );
  };

  console.log(`Catalog refresh of ${companies} companies, simulator latency ${latencyMs} ms per call`);
  await run('first-full', true);
  await run('incremental', false);
  await run('second-full', true);
  clearInterval(sampler);
  const [{ count }] = await database.sql`select count(*)::int as count from autotask_companies where org_id = ${orgId}`;
  console.log(`rows stored: ${count}; peak RSS of this process (worker, simulator and client together): ${Math.round(peakRss / 1024 / 1024)} MiB`);

  worker.worker.shutdown();
  await running;
  await connection.close();
  await database.close();
  await sim.close();
  await temporalServer.stop();
  await scratch.drop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
