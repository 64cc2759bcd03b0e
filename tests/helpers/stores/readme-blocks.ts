// The README's store examples that the tests run: each is the fenced code
// block right after a `<!-- store-test: NAME -->` comment, so the README shows
// exactly the code that passed.
import { readFileSync } from 'node:fs';
import { ROOT } from '../corpus.ts';

const README = readFileSync(`${ROOT}/README.md`, 'utf8');

export function readmeBlock(name: string): string {
  const re = new RegExp(`<!-- store-test: ${name} -->\\s*\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``);
  const m = re.exec(README);
  if (!m) throw new Error(`README.md has no fenced block after <!-- store-test: ${name} -->: the store tests run that block`);
  return m[1];
}

/** Replaces every `from` in a block with `to`, insisting it is there (so the README and the test cannot drift apart). */
export function substitute(block: string, from: string, to: string): string {
  if (!block.includes(from)) throw new Error(`the README block no longer contains ${JSON.stringify(from)}: update the store test with it`);
  return block.split(from).join(to);
}
