import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInputArgs } from '../../src/cli/input-args.ts';

test('-i pairs are split at the first "=" and coerced by schema type', () => {
  assert.deepEqual(parseInputArgs(['texts=["a=b","c"]', 'return_colbert=true', 'max_length=512', 'query="what is x=1?"']), {
    texts: ['a=b', 'c'],
    return_colbert: true,
    max_length: 512,
    query: 'what is x=1?',
  });
});

test('a repeated key becomes an array, as cog predict does', () => {
  assert.deepEqual(parseInputArgs(['texts=first', 'texts=second']), { texts: ['first', 'second'] });
  assert.deepEqual(parseInputArgs(['texts=only']), { texts: ['only'] });
});

test('a pair without "=" is refused with an example', () => {
  assert.throws(() => parseInputArgs(['texts']), /-i expects key=value, got "texts" \(for example/);
});
