// Benchmark: a burst of N new alerts, then one update of each, through the real API, workflows, worker, Temporal dev
// server and PostgreSQL, against the Autotask simulator. Prints alerts per second end to end and Autotask calls per
// new ticket and per update.
//   npm run bench:alerts -- [alerts=1000] [latencyMs=0]
import { randomBytes } from 'node:crypto';
import { Runtime } from '@temporalio/worker';
import postgres from 'postgres';
import { startApi } from '../api/server';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { createScratchDatabase } from '../scripts/scratch-database';
import { startTemporal } from '../scripts/temporal-cli';
import { startAutotaskSimulator } from '../simulator/server';
import { createWorker } from '../worker/worker';

const alerts = Number(process.argv[2] ?? 1_000);
const latencyMs = Number(process.argv[3] ?? 0);
const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 'bench-token-0000000000000001';
const orgId = 'bench-org';

async function main() {
  Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  const temporalServer = await startTemporal({ ip: '127.0.0.1', port: 17_234, namespace: 'default' });
  const scratch = await createScratchDatabase(adminUrl, 'petra_bench_alerts');
  const sim = await startAutotaskSimulator({ companies: [{ id: 1, companyName: 'Contoso Limited' }] });
  const account = { username: 'bench@msp.example', secret: 'bench-secret', integrationCode: 'BENCHTRACKINGID000000000001' };
  sim.addAccount(account);

  const config = loadConfig({
    DATABASE_URL: scratch.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: 'bench',
    ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    AUTOTASK_ZONE_LOOKUP_URL: sim.zoneLookupUrl,
    API_TOKENS: `${TOKEN}:*`,
    PORT: '0',
    LOG_LEVEL: 'error',
    // The burst spends 4 requests per alert; the default share (30 % of 10,000 an hour) would rightly hold it back.
    AUTOTASK_HOURLY_BUDGET_SHARE: process.env.AUTOTASK_HOURLY_BUDGET_SHARE ?? '0.5',
  });
  const api = await startApi(config, createLogger('error', 'api'));
  const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const worker = await createWorker(config);
  const running = worker.run();
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const until = async (check: () => Promise<boolean>) => {
    while (!(await check())) await new Promise((r) => setTimeout(r, 100));
  };

  const base = `/v1/orgs/${orgId}`;
  await call('PUT', `${base}/autotask/connection`, account);
  await until(async () => (await call('GET', `${base}/autotask/connection`)).body.status === 'connected');
  await until(async () => (await call('GET', `${base}/autotask/catalog`)).body.lastRefresh?.outcome === 'succeeded');
  await call('PUT', `${base}/tenants/contoso`, { name: 'Contoso' });
  await call('PATCH', `${base}/autotask/mappings`, { tenants: { contoso: 1 }, queue: 8, creationStatus: 1, updateStatus: 8, resolutionStatus: 5 });
  if (latencyMs > 0) sim.inject({ latencyMs });

  const ids = Array.from({ length: alerts }, (_, i) => `alert-${i}`);
  const event = (alertId: string, revision: number) => ({
    tenantId: 'contoso',
    alertId,
    revision,
    status: revision === 1 ? 'open' : 'updated',
    severity: 'high',
    title: `Suspicious sign-in ${alertId}`,
    description: `Revision ${revision} of ${alertId}`,
    occurredAt: new Date().toISOString(),
  });
  const applied = async (revision: number) =>
    Number((await sql`select count(*) from alert_syncs where org_id = ${orgId} and state = 'synced' and applied_revision = ${revision}`)[0]!.count);

  const phase = async (label: string, revision: number) => {
    sim.resetCalls();
    const started = performance.now();
    for (let i = 0; i < ids.length; i += 100) {
      const res = await call('POST', `${base}/alerts`, ids.slice(i, i + 100).map((id) => event(id, revision)));
      if (res.body.accepted !== Math.min(100, ids.length - i)) throw new Error(`batch refused: ${JSON.stringify(res.body).slice(0, 500)}`);
    }
    const acceptedMs = performance.now() - started;
    await until(async () => (await applied(revision)) === alerts);
    const seconds = (performance.now() - started) / 1000;
    const byEndpoint: Record<string, number> = {};
    for (const c of sim.calls) {
      const key = `${c.method} ${c.path.replace('/V1.0/', '').replace(/\/\d+/g, '/{id}')}`;
      byEndpoint[key] = (byEndpoint[key] ?? 0) + 1;
    }
    console.log(
      `${label.padEnd(8)} ${alerts} alerts in ${seconds.toFixed(1)} s = ${(alerts / seconds).toFixed(1)} alerts/s (all accepted by the API in ${(acceptedMs / 1000).toFixed(1)} s); ` +
        `Autotask calls ${sim.calls.length} = ${(sim.calls.length / alerts).toFixed(2)} per alert; 429s ${sim.calls.filter((c) => c.status === 429).length}; ` +
        `peak concurrency ${JSON.stringify(sim.peakConcurrency())}; ${JSON.stringify(byEndpoint)}`,
    );
  };

  console.log(`Alert burst: ${alerts} alerts, simulator latency ${latencyMs} ms per call, 1 worker (${config.WORKER_MAX_CONCURRENT_ACTIVITIES} activity slots)`);
  await phase('create', 1);
  await phase('update', 2);
  console.log(`tickets in the simulator: ${sim.tickets().length}, notes: ${sim.notes().length}`);

  worker.worker.shutdown();
  await running;
  await api.close();
  await sql.end();
  await sim.close();
  await temporalServer.stop();
  await scratch.drop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
