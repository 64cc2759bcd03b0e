// Rewrites the Dockerfile's run.cog.* LABEL lines from cog.yaml and schema.json.
//   node --import tsx tools/docker/sync-labels.ts           update the Dockerfile
//   node --import tsx tools/docker/sync-labels.ts --check   exit 1 if it is out of date
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeLabels, loadLabelSources, syncDockerfileLabels } from './labels.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(check: boolean): Promise<number> {
  const file = path.join(ROOT, 'Dockerfile');
  const current = await readFile(file, 'utf8');
  const updated = syncDockerfileLabels(current, computeLabels(await loadLabelSources(ROOT)));
  if (updated === current) {
    console.log('Dockerfile labels are up to date.');
    return 0;
  }
  if (check) {
    console.error('The Dockerfile labels differ from cog.yaml / schema.json: run `node --import tsx tools/docker/sync-labels.ts`.');
    return 1;
  }
  await writeFile(file, updated);
  console.log('Updated the run.cog.* labels in Dockerfile.');
  return 0;
}

process.exitCode = await main(process.argv.includes('--check'));
