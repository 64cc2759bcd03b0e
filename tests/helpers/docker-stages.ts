// Lays out each Dockerfile stage's files in a temp folder as the build would:
// exactly what its COPY lines name (from the build context, minus what
// .dockerignore leaves out, or from an earlier stage's folder), the folders
// and files its RUN lines make with mkdir and echo, and node_modules where a
// RUN runs `npm ci`. It lists the node entry points the stage runs (RUN, CMD,
// HEALTHCHECK) so a test can start them from those files alone. Other RUN
// commands (apt-get, chown) are not imitated: this checks files, not packages.
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyPaths, dockerStages, execForm, parseDockerfile } from '../../tools/docker/dockerfile.ts';
import { isIgnored, mayHoldIncluded, readDockerignore } from '../../tools/docker/dockerignore.ts';

export interface EntryPoint {
  /** RUN, CMD or HEALTHCHECK, and its Dockerfile line. */
  from: string;
  line: number;
  /** Node's own arguments (e.g. --import tsx). */
  nodeArgs: string[];
  /** The script, relative to cwd as the Dockerfile names it. */
  script: string;
  /** The arguments after the script. */
  args: string[];
  /** The stage's working directory at that point, inside its folder. */
  cwd: string;
}

export interface StageFiles {
  name: string;
  /** The stage's filesystem root in the temp folder. */
  root: string;
  /** Its final WORKDIR, inside root. */
  workdir: string;
  /** ENV values set by the stage. */
  env: Record<string, string>;
  entries: EntryPoint[];
}

/**
 * Lays out every stage of `<repo>/Dockerfile` under `tempRoot/<stage name>`.
 * `npm ci` is imitated by linking, one symlink per package, the repository's
 * installed packages that the stage's package-lock.json keeps (with
 * --omit=dev: the production ones): installing them for real would take
 * minutes, and what matters here is which packages the stage can import.
 */
export function layOutStages(repo: string, tempRoot: string): StageFiles[] {
  const ignore = readDockerignore(repo);
  const done = new Map<string, StageFiles>();
  const out: StageFiles[] = [];
  dockerStages(parseDockerfile(readFileSync(path.join(repo, 'Dockerfile'), 'utf8'))).forEach((stage, i) => {
    const name = stage.name ?? String(i);
    const root = path.join(tempRoot, name);
    mkdirSync(root, { recursive: true });
    let workdir = '/';
    const at = (p: string) => path.join(root, path.posix.isAbsolute(p) ? p : path.posix.join(workdir, p));
    const files: StageFiles = { name, root, workdir: root, env: {}, entries: [] };
    for (const ins of stage.body) {
      if (ins.keyword === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, ins.args.trim());
        mkdirSync(at('.'), { recursive: true });
      } else if (ins.keyword === 'ENV') {
        for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g)) files.env[m[1]] = m[2];
      } else if (ins.keyword === 'COPY') {
        const { sources, dest } = copyPaths(ins.args);
        const from = ins.flags.from;
        if (from !== undefined && !done.has(from)) throw new Error(`line ${ins.line}: COPY --from=${from}, a stage not defined above`);
        for (const src of sources) {
          const source = from !== undefined ? path.join(done.get(from)!.root, src) : path.join(repo, src);
          if (!existsSync(source))
            throw new Error(`line ${ins.line}: COPY ${src}: no such file in ${from !== undefined ? `stage ${from}` : 'the build context'}`);
          const isDir = lstatSync(source).isDirectory();
          const target = isDir || (sources.length === 1 && !dest.endsWith('/')) ? at(dest) : path.join(at(dest), path.basename(src));
          cpSync(source, target, {
            recursive: true,
            filter:
              from !== undefined
                ? undefined
                : (p) => {
                    const rel = path.relative(repo, p).split(path.sep).join('/');
                    return lstatSync(p).isDirectory() ? mayHoldIncluded(rel, ignore) : !isIgnored(rel, ignore);
                  },
          });
        }
      } else if (ins.keyword === 'RUN') {
        runEffects(ins.args, at, repo);
        for (const m of ins.args.matchAll(/\bnode\s+((?:--[\w-]+(?:[ =][^-\s]\S*)?\s+)*)(\S+\.(?:ts|mts|js|mjs|cjs))((?:\s+[^;&|\s]+)*)/g)) {
          files.entries.push({
            from: 'RUN',
            line: ins.line,
            nodeArgs: m[1].trim().split(/\s+/).filter(Boolean),
            script: m[2],
            args: m[3].trim().split(/\s+/).filter(Boolean),
            cwd: at('.'),
          });
        }
      } else if (ins.keyword === 'CMD' || ins.keyword === 'HEALTHCHECK') {
        const argv = execForm(ins.args.replace(/^CMD\s+/, ''));
        if (argv?.[0] !== 'node') continue;
        const s = argv.findIndex((a, j) => j > 0 && /\.(?:ts|mts|js|mjs|cjs)$/.test(a));
        files.entries.push({ from: ins.keyword, line: ins.line, nodeArgs: argv.slice(1, s), script: argv[s], args: argv.slice(s + 1), cwd: at('.') });
      }
    }
    files.workdir = at('.');
    done.set(name, files);
    out.push(files);
  });
  return out;
}

/** The effects of a RUN line this layout imitates: npm ci, mkdir, echo '...' > file. */
function runEffects(run: string, at: (p: string) => string, repo: string): void {
  for (const m of run.matchAll(/\bnpm ci\b([^;&|]*)/g)) linkInstalledPackages(at('node_modules'), at('package-lock.json'), repo, /--omit[= ]dev\b/.test(m[1]));
  for (const m of run.matchAll(/\bmkdir\s+(?:-p\s+)?([^\s;&|]+)/g)) mkdirSync(at(m[1]), { recursive: true });
  for (const m of run.matchAll(/\becho\s+'([^']*)'\s*>\s*([^\s;&|]+)/g)) writeFileSync(at(m[2]), `${m[1]}\n`);
}

function linkInstalledPackages(nodeModules: string, lockFile: string, repo: string, omitDev: boolean): void {
  if (!existsSync(lockFile)) throw new Error(`npm ci needs package-lock.json, which the stage did not copy into ${path.dirname(lockFile)}`);
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  mkdirSync(nodeModules, { recursive: true });
  for (const [key, entry] of Object.entries(lock.packages)) {
    // Top-level packages only: a nested one lives inside its parent's folder.
    if (!/^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) || (omitDev && entry.dev)) continue;
    const installed = path.join(repo, key);
    if (!existsSync(installed)) continue; // an optional package for another platform
    const link = path.join(nodeModules, key.slice('node_modules/'.length));
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(installed, link);
  }
}
