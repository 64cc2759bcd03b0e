// The files a shard owns in the output directory, and clearing what a dead or
// earlier run left behind.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CorpusError } from './errors.ts';
import type { PartRecord } from './manifest.ts';
import type { Shard } from './shard.ts';
import { shardName } from './shard.ts';

export function partFileName(shard: Shard, part: number, format: 'parquet' | 'jsonl'): string {
  return `${shardName(shard)}.part-${String(part).padStart(6, '0')}.${format}`;
}

/**
 * Removes this shard's temporary files (a killed run's part in flight) and
 * its part files the manifest does not list (renamed, but the run died before
 * recording them: they are rewritten, identically, under the same name).
 */
export function clearUnfinished(dir: string, shard: Shard, kept: PartRecord[]): string[] {
  const prefix = shardName(shard);
  const keep = new Set(kept.map((p) => p.file));
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const temp = name.startsWith(`.${prefix}.`) && /\.tmp-\d+$/.test(name);
    const part = name.startsWith(`${prefix}.part-`) && !keep.has(name);
    if (!temp && !part) continue;
    rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Removes every file of this shard but its lease (this run's own): --restart. */
export function clearShard(dir: string, shard: Shard): void {
  const prefix = shardName(shard);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${prefix}.lease.json`)) continue;
    if (name.startsWith(`${prefix}.`) || name.startsWith(`.${prefix}.`)) rmSync(path.join(dir, name), { force: true });
  }
}

/** Shard files of another shard count would mix two splits of the input: refuse, or on --restart remove them. */
export function otherSplits(dir: string, shard: Shard, restart: boolean): void {
  const own = `-of-${String(shard.count).padStart(5, '0')}.`;
  const others = readdirSync(dir).filter((n) => /^\.?shard-\d{5}-of-\d{5}\./.test(n) && !n.includes(own));
  if (!others.length) return;
  if (!restart) {
    throw new CorpusError(
      `${dir} already holds output split into another number of shards (${others[0]}, …); pass --restart to remove it, or write to another --output`,
    );
  }
  for (const name of others) rmSync(path.join(dir, name), { force: true });
}
