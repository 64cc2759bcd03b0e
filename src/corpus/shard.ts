// Which rows a shard embeds: row r belongs to shard r % count. Round robin by
// row number needs no row count up front (streaming input) and spreads long
// and short rows evenly; the count shards together take every row exactly once.
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
export function resolveShard(spec: string | undefined, shards: string | undefined, env: NodeJS.ProcessEnv): Shard {
  if (spec !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
    if (!m) throw new CorpusError(`--shard must be INDEX/COUNT, e.g. --shard 0/4 (got "${spec}")`);
    if (shards !== undefined && Number(shards) !== Number(m[2])) {
      throw new CorpusError(`--shard ${spec} says ${m[2]} shards but --shards says ${shards}`);
    }
    return checked(Number(m[1]), Number(m[2]), `--shard ${spec}`);
  }
  const countText = shards ?? env.BGE_M3_SHARDS;
  const indexText = env.JOB_COMPLETION_INDEX;
  if (countText === undefined || countText === '') {
    if (indexText !== undefined && indexText !== '') {
      throw new CorpusError(`JOB_COMPLETION_INDEX is ${indexText} but the shard count is unknown: pass --shards COUNT or set BGE_M3_SHARDS`);
    }
    return { index: 0, count: 1 };
  }
  const source = shards !== undefined ? '--shards' : 'BGE_M3_SHARDS';
  if (!/^\d+$/.test(countText.trim())) throw new CorpusError(`${source} must be a positive integer (got "${countText}")`);
  if (indexText !== undefined && indexText !== '' && !/^\d+$/.test(indexText.trim())) {
    throw new CorpusError(`JOB_COMPLETION_INDEX must be a non-negative integer (got "${indexText}")`);
  }
  return checked(indexText ? Number(indexText) : 0, Number(countText), `shard ${indexText || 0} of ${source} ${countText}`);
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
