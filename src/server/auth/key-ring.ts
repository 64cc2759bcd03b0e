// The keys the server accepts right now: API_KEYS (fixed for the process) plus
// API_KEYS_FILE, re-read on SIGHUP and whenever its folder changes. The folder
// is watched rather than the file because editors and Kubernetes replace a
// file by renaming another over it (Kubernetes swaps a `..data` symlink), and
// a watch on the old file would see nothing after the first swap.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { keyProblem, KeySet, parseKeyFile } from './keys.ts';
import type { Logger } from '../log.ts';

export interface KeyRingOptions {
  /** Keys from API_KEYS, already checked. */
  keys: string[];
  /** API_KEYS_FILE, or null. */
  file: string | null;
  log: Logger;
  /** Changes within this many ms are read once; default 100. */
  settleMs?: number;
}

export class ApiKeyRing {
  private current: KeySet;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private readonly settleMs: number;

  private constructor(private readonly opts: KeyRingOptions) {
    this.current = new KeySet(opts.keys);
    this.settleMs = opts.settleMs ?? 100;
  }

  /** Reads the key file once (throwing if it cannot be read), then keeps it current. */
  static async open(opts: KeyRingOptions): Promise<ApiKeyRing> {
    const ring = new ApiKeyRing(opts);
    if (opts.file) {
      const fileKeys = await ring.readFileKeys(opts.file).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`API_KEYS_FILE=${opts.file} could not be read (${err.code ?? err.message}).`);
      });
      ring.current = new KeySet([...opts.keys, ...fileKeys]);
      ring.watchFolder(opts.file);
    }
    ring.logKeys('API keys on');
    return ring;
  }

  get keys(): KeySet {
    return this.current;
  }

  /**
   * Re-reads the key file (SIGHUP, or a change in its folder: those log only
   * when the keys differ, since other files there may change too). `why` goes into the log line. A file that
   * cannot be read leaves the keys as they were; an empty one leaves none
   * (every protected request then gets 401), since removing the last key
   * must revoke it.
   */
  reload(why: string, quietIfUnchanged = false): Promise<void> {
    const file = this.opts.file;
    if (!file) {
      this.opts.log.info(`API keys: ${why}, but no API_KEYS_FILE is set; the keys stay as they are`);
      return Promise.resolve();
    }
    this.reading = this.reading.then(async () => {
      let fileKeys: string[];
      try {
        fileKeys = await this.readFileKeys(file);
      } catch (err) {
        this.opts.log.warn(
          `API keys: ${why}, but ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); keeping the ${this.current.size} keys in use`,
        );
        return;
      }
      const next = new KeySet([...this.opts.keys, ...fileKeys]);
      const changed = !next.sameAs(this.current);
      this.current = next;
      if (changed || !quietIfUnchanged) this.logKeys(`API keys reloaded (${why})${changed ? '' : ', unchanged'}`);
    });
    return this.reading;
  }

  close(): void {
    this.watcher?.close();
    clearTimeout(this.timer);
  }

  private async readFileKeys(file: string): Promise<string[]> {
    const lines = parseKeyFile(await readFile(file, 'utf8'));
    const bad = lines.filter((k) => keyProblem(k));
    if (bad.length) this.opts.log.warn(`API keys: skipping ${bad.length} line(s) of ${file}: a key ${keyProblem(bad[0])}`);
    return lines.filter((k) => !keyProblem(k));
  }

  private watchFolder(file: string): void {
    const name = basename(file);
    this.watcher = watch(dirname(file), { persistent: false }, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(`${name} changed`, true), this.settleMs);
    });
    this.watcher.on('error', (err) => this.opts.log.warn(`API keys: watching ${dirname(file)} stopped (${err.message}); send SIGHUP to reload`));
  }

  private logKeys(prefix: string): void {
    const n = this.current.size;
    const note = n === 0 ? ': no valid key, so every protected request gets 401' : ` (sha256 prefixes ${this.current.shortHashes().join(', ')})`;
    this.opts.log.info(`${prefix}: ${n} key${n === 1 ? '' : 's'}${note}`);
  }
}
