// The layer checker's reading of imports: every form that loads a module is
// seen, on its line; text that only looks like an import is not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importSpecifiers } from '../helpers/layers/import-specifiers.ts';

const read = (text: string) => importSpecifiers(text).map(({ specifier, line }) => `${line}:${specifier}`);

describe('importSpecifiers', () => {
  it('reads static, type-only, side-effect, re-export, dynamic and worker-entry imports', () => {
    const text = [
      "import fs from 'node:fs';",
      'import type { A } from "./a.ts";',
      "import './side-effect.ts';",
      "export { b } from '../b.ts';",
      "export * as c from './c.ts';",
      'import {',
      '  d,',
      "} from './d.ts';",
      "const e = await import('./e.ts');",
      "const w = new Worker(new URL('./boot.mjs', import.meta.url));",
      "const entry = new URL( './thread.ts' , import.meta.url ).href;",
    ].join('\n');
    assert.deepEqual(read(text), [
      '1:node:fs',
      '2:./a.ts',
      '3:./side-effect.ts',
      '4:../b.ts',
      '5:./c.ts',
      '8:./d.ts',
      '9:./e.ts',
      '10:./boot.mjs',
      '11:./thread.ts',
    ]);
  });

  it('leaves out URLs of data files and folders, comments, strings, templates and regular expressions', () => {
    const text = [
      "const schema = new URL('../../schema.json', import.meta.url);",
      "const web = new URL('../../web', import.meta.url);",
      "// import x from './commented.ts';",
      "/* export { y } from './block.ts'; */",
      'const snippet = "import OpenAI from \'openai\'";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal is the case under test
      "const js = `import { z } from './template.ts'; ${`import('./nested.ts')`}`;",
      "const re = /from '.\\/regex.ts'/;",
      "const half = total / 2; const quote = \"'\"; import { after } from './after.ts';",
      "const fromX = Array.from('abc'); obj.import('./method.ts');",
    ].join('\n');
    assert.deepEqual(read(text), ['8:./after.ts']);
  });
});
