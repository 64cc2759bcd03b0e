// Writes src/api/schema-types.ts (the Input and Output TypeScript types) from
// schema.json. tests/api/schema-types.test.ts fails when the two drift apart.
//   npx tsx tools/schema-types.ts          rewrite the file
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inputSchema, outputSchema, type PropertySchema } from '../src/api/schema.ts';

export const typesPath = fileURLToPath(new URL('../src/api/schema-types.ts', import.meta.url));

function typeOf(s: PropertySchema, indent: string): string {
  if (s.anyOf) return s.anyOf.map((alt) => wrap(typeOf(alt, indent))).join(' | ');
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `${wrap(typeOf(s.items ?? {}, indent))}[]`;
    case 'object':
      if (s.properties) return objectType(s, indent);
      if (typeof s.additionalProperties === 'object') return `Record<string, ${typeOf(s.additionalProperties, indent)}>`;
      return 'Record<string, unknown>';
    default:
      return 'unknown';
  }
}

function wrap(t: string): string {
  return /^[\w<>, [\]]+$/.test(t) ? t : `(${t})`;
}

function objectType(s: PropertySchema, indent: string): string {
  const inner = indent + '  ';
  const required = new Set(s.required ?? []);
  const lines = Object.entries(s.properties ?? {}).map(([name, p]) => {
    const doc = p.description ? `${inner}/** ${p.description.replace(/\*\//g, '* /')} */\n` : '';
    return `${doc}${inner}${name}${required.has(name) ? '' : '?'}: ${typeOf(p, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** Input after validation: every property with a default is present. */
function validatedInput(): PropertySchema {
  const withDefaults = Object.entries(inputSchema.properties)
    .filter(([, p]) => p.default !== undefined)
    .map(([n]) => n);
  return { ...inputSchema, required: [...inputSchema.required, ...withDefaults] };
}

export function renderTypes(): string {
  return [
    '// Generated from schema.json by tools/schema-types.ts. Do not edit: run `npm run schema:types`.',
    '',
    '/** A prediction input after validation: defaults applied. */',
    `export interface Input ${typeOf(validatedInput(), '')}`,
    '',
    `export interface Output ${typeOf(outputSchema, '')}`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(typesPath, renderTypes());
  console.log(`wrote ${typesPath}`);
}
