// Which rows a shard embeds: row r belongs to shard r % count. Round robin by
// row number needs no row count up front (streaming input) and spreads long
// and short rows evenly; the count shards together take every row exactly once.
import { setting, type Env } from '../settings.ts';
import { CorpusError } from './errors.ts';

export interface Shard {
  index: number;
  count: number;
}

/**
 * `--shard INDEX/COUNT` wins; otherwise the index comes from
 * JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) and the count from
 * `--shards` or BGE_M3_SHARDS. Neither: one shard, 0/1.
 */
export function resolveShard(spec: string | undefined, shards: string | undefined, env?: Env): Shard {
  if (spec !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
    if (!m) throw new CorpusError(`--shard must be INDEX/COUNT, e.g. --shard 0/4 (got "${spec}")`);
    if (shards !== undefined && Number(shards) !== Number(m[2])) {
      throw new CorpusError(`--shard ${spec} says ${m[2]} shards but --shards says ${shards}`);
    }
    return checked(Number(m[1]), Number(m[2]), `--shard ${spec}`);
  }
  const index = fromEnv(() => setting('JOB_COMPLETION_INDEX', env));
  const count = shards ? countOf(shards) : fromEnv(() => setting('BGE_M3_SHARDS', env));
  if (count === undefined) {
    if (index !== undefined) {
      throw new CorpusError(`JOB_COMPLETION_INDEX is ${index} but the shard count is unknown: pass --shards COUNT or set BGE_M3_SHARDS`);
    }
    return { index: 0, count: 1 };
  }
  return checked(index ?? 0, count, `shard ${index ?? 0} of ${shards ? '--shards' : 'BGE_M3_SHARDS'} ${count}`);
}

function countOf(shards: string): number {
  if (!/^\d+$/.test(shards.trim())) throw new CorpusError(`--shards must be a positive integer (got "${shards}")`);
  return Number(shards);
}

/** A malformed variable is the job's usage error, reported as such. */
function fromEnv<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new CorpusError((err as Error).message);
  }
}

function checked(index: number, count: number, what: string): Shard {
  if (count < 1) throw new CorpusError(`${what}: the shard count must be at least 1`);
  if (index >= count) throw new CorpusError(`${what}: the shard index must be below the count (0 to ${count - 1})`);
  return { index, count };
}

export function inShard(row: number, shard: Shard): boolean {
  return row % shard.count === shard.index;
}

/** `shard-00002-of-00004`: the prefix of every file a shard writes. */
export function shardName(shard: Shard): string {
  return `shard-${String(shard.index).padStart(5, '0')}-of-${String(shard.count).padStart(5, '0')}`;
}
