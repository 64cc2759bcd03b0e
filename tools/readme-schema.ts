// Keeps README.md's inputs and outputs tables in sync with schema.json.
//   npm run readme          rewrite the tables between the markers
// tests/docs/readme.test.ts fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inputNames, inputSchema, outputSchema, type PropertySchema } from '../src/api/schema.ts';

export const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- schema:start (generated from schema.json by `npm run readme`) -->';
const END = '<!-- schema:end -->';

function typeName(s: PropertySchema): string {
  if (s.anyOf) return s.anyOf.map(alternative).join(' or ');
  if (s.enum) return s.enum.map((v) => `"${v}"`).join(' or ');
  if (s.format === 'byte') return 'base64 string';
  if (s.type === 'array') return s.items?.anyOf ? `(${typeName(s.items)})[]` : `${typeName(s.items ?? {})}[]`;
  if (s.type === 'object' && typeof s.additionalProperties === 'object') return `{ [id]: ${typeName(s.additionalProperties)} }`;
  return s.type ?? 'any';
}

/** One shape among several: an object is spelled out, since its keys are what tells the shapes apart. */
function alternative(s: PropertySchema): string {
  if (s.type === 'object' && s.properties)
    return `{ ${Object.entries(s.properties)
      .map(([k, p]) => `${k}: ${typeName(p)}`)
      .join(', ')} }`;
  return typeName(s);
}

function bounds(s: PropertySchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? '…'}–${s.maximum ?? '…'}`);
  if (s.minItems !== undefined || s.maxItems !== undefined)
    parts.push(s.minItems === s.maxItems ? `exactly ${s.minItems} items` : `${s.minItems ?? 0}–${s.maxItems ?? '…'} items`);
  if (s.items?.minimum !== undefined) parts.push(`each ≥ ${s.items.minimum}`);
  return parts.join(', ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');

export function renderTables(): string {
  const required = new Set(inputSchema.required);
  const inputs = inputNames.map((name) => {
    const p = inputSchema.properties[name];
    const dflt = p.default !== undefined ? `\`${JSON.stringify(p.default)}\`` : required.has(name) ? '*required*' : '*optional*';
    return `| \`${name}\` | ${typeName(p)} | ${dflt} | ${bounds(p)} | ${cell(p.description ?? '')} |`;
  });
  const outputs = Object.entries(outputSchema.properties).map(([name, p]) => `| \`${name}\` | ${typeName(p)} | ${cell(p.description ?? '')} |`);
  const scores = Object.entries(outputSchema.properties.scores.properties ?? {}).map(
    ([name, p]) => `| \`scores.${name}\` | ${typeName(p)} | ${cell(p.description ?? '')} |`,
  );
  return [
    START,
    '**Inputs**',
    '',
    '| input | type | default | bounds | meaning |',
    '|---|---|---|---|---|',
    ...inputs,
    '',
    '**Outputs**',
    '',
    '| output | type | meaning |',
    '|---|---|---|',
    ...outputs,
    ...scores,
    END,
  ].join('\n');
}

export function withTables(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no schema markers (${START} ... ${END})`);
  return readme.slice(0, start) + renderTables() + readme.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(readmePath, withTables(readFileSync(readmePath, 'utf8')));
  console.log(`updated the schema tables in ${readmePath}`);
}
