// Keeps README.md's configuration table in sync with src/settings.ts.
//   npm run readme          rewrite the table between the markers
// tests/docs/readme-settings.test.ts fails when it drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultText, type SettingSpec } from '../src/setting-kinds.ts';
import { SETTING_GROUPS } from '../src/settings.ts';
import { readmePath } from './readme-schema.ts';

const START = '<!-- settings:start (generated from src/settings.ts by `npm run readme`) -->';
const END = '<!-- settings:end -->';

/** The kind and bounds, briefly. */
export function typeText(spec: SettingSpec): string {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const unit = spec.type === 'number' ? ` (${spec.unit})` : '';
      const range = spec.max !== undefined ? ` ${spec.min}–${spec.max}` : ` ≥ ${spec.min}`;
      return `${spec.type}${range}${unit}`;
    }
    case 'flag':
      return 'flag: `1`/`0`, `true`/`false`';
    case 'enum':
      return spec.values.map((v) => `\`${v}\``).join(', ');
    case 'list':
      return spec.item === 'key' ? 'comma-separated keys' : 'comma-separated origins';
    case 'url':
      return 'URL';
    case 'secret':
      return 'secret';
    default:
      return spec.type;
  }
}

function defaultCell(spec: SettingSpec): string {
  const text = defaultText(spec);
  if (spec.defaultText !== undefined || text === 'none') return text;
  return `\`${text}\``;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderSettingsTable(): string {
  const sections = SETTING_GROUPS.map(({ title, settings }) => {
    const rows = Object.entries(settings as Record<string, SettingSpec>)
      .filter(([, spec]) => spec.internal === undefined)
      .map(([name, spec]) => `| \`${name}\` | ${cell(typeText(spec))} | ${cell(defaultCell(spec))} | ${cell(spec.meaning)} |`);
    return rows.length ? [`**${title}**`, '', '| variable | type | default | meaning |', '|---|---|---|---|', ...rows, ''] : [];
  });
  return [
    START,
    'Unset or empty means the default. A malformed value is refused, when the server or command that reads it starts, with an error naming the variable, what it held and the fix.',
    '',
    ...sections.flat(),
    END,
  ].join('\n');
}

export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no settings markers (${START} ... ${END})`);
  return readme.slice(0, start) + renderSettingsTable() + readme.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(readmePath, withSettingsTable(readFileSync(readmePath, 'utf8')));
  console.log(`updated the settings table in ${readmePath}`);
}
