// Builds the workflow bundle ahead of time (production images, test runs): `WORKFLOW_BUNDLE_PATH` points a worker at it.
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: build-workflow-bundle <output.js>');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } });
  writeFileSync(out, code);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
