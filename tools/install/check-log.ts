// Fails when an npm install log has a warning the project could avoid. .ci/run
// saves the log of its own `npm ci` and runs this on it, so a new dependency
// that wants a newer Node, an .npmrc key npm does not know, or an install script
// nobody reviewed breaks CI instead of scrolling past.
//   node --import tsx tools/install/check-log.ts npm-ci.log
// Warnings about the machine's own npm configuration (user, global, builtin or
// environment config) are not the project's doing and are let through, and so
// is npm 11's one warning about the onnxruntime-node-install=skip switch that
// .npmrc keeps on purpose (see there).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WARN = /^npm warn\b/i;
/** Config the machine brings, not the repository: ~/.npmrc, the global and builtin npmrc, npm_config_* variables. */
const MACHINE_CONFIG = /^npm warn Unknown (user|global|builtin|env) config\b/i;
/** The switch npm 10 needs to skip onnxruntime-node's CUDA download, which the project's rules keep in .npmrc. */
const KEPT_SWITCH = /^npm warn Unknown project config "onnxruntime-node-install"\./i;
// Colour codes, in case the log was written to a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ANSI = /\x1b\[[0-9;]*m/g;

/** The warning lines of an install log the project could avoid, in order. */
export function avoidableWarnings(log: string): string[] {
  return log
    .split(/\r?\n/)
    .map((line) => line.replace(ANSI, '').trimEnd())
    .filter((line) => WARN.test(line) && !MACHINE_CONFIG.test(line) && !KEPT_SWITCH.test(line));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx tools/install/check-log.ts <npm install log>\n');
    process.exit(2);
  }
  const found = avoidableWarnings(readFileSync(file, 'utf8'));
  if (found.length > 0) {
    process.stderr.write(`The install printed ${found.length} warning line(s) the project could avoid:\n${found.join('\n')}\n`);
    process.exit(1);
  }
  console.log(`${file}: no avoidable npm warnings`);
}
