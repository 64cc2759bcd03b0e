// The Cog image labels, computed from their sources: run.cog.config from
// cog.yaml, run.cog.openapi_schema from schema.json (through the server's
// /openapi.json builder), run.cog.version from the Cog contract version the
// server implements. Dockerfile LABEL values must be literal, so they are
// rendered here and written into the Dockerfile by sync-labels.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseYamlSubset } from './mini-yaml.ts';

export const LABEL_KEYS = ['run.cog.version', 'run.cog.config', 'run.cog.openapi_schema'] as const;
export type Labels = Record<(typeof LABEL_KEYS)[number], string>;

export interface LabelSources {
  cogYaml: string;
  openapi: unknown;
  cogVersion: string;
}

export async function loadLabelSources(root: string): Promise<LabelSources> {
  const { buildOpenApiSchema } = await import('../../src/server/cog/openapi.ts');
  const { COG_CONTRACT_VERSION } = await import('../../src/server/types.ts');
  return { cogYaml: await readFile(path.join(root, 'cog.yaml'), 'utf8'), openapi: buildOpenApiSchema(), cogVersion: COG_CONTRACT_VERSION };
}

export function computeLabels(src: LabelSources): Labels {
  return {
    'run.cog.version': src.cogVersion,
    'run.cog.config': JSON.stringify(parseYamlSubset(src.cogYaml)),
    'run.cog.openapi_schema': JSON.stringify(src.openapi),
  };
}

/**
 * One `LABEL key='value'` line. Single quotes keep the value literal in a
 * Dockerfile (no $-expansion, no escapes); a quote inside the JSON is written
 * as the JSON escape \u0027, which parses back to the same value.
 */
export function renderLabel(key: string, value: string): string {
  return `LABEL ${key}='${value.replace(/'/g, '\\u0027')}'`;
}

/** Replaces the run.cog.* LABEL lines of a Dockerfile (placed where the first one was). */
export function syncDockerfileLabels(dockerfile: string, labels: Labels): string {
  const lines = dockerfile.split('\n');
  const isCogLabel = (l: string) => /^LABEL\s+run\.cog\./.test(l);
  const at = lines.findIndex(isCogLabel);
  if (at < 0) throw new Error('The Dockerfile has no `LABEL run.cog.*` line to update; add `LABEL run.cog.version=x` where the labels belong and run again.');
  const rendered = LABEL_KEYS.map((k) => renderLabel(k, labels[k]));
  const kept = lines.filter((l, i) => i < at || !isCogLabel(l));
  kept.splice(at, 0, ...rendered);
  return kept.join('\n');
}
