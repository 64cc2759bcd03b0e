// A part as JSON Lines, for people without Parquet tools: one object per row
// with the same field names as the Parquet columns.
import type { EmbeddedRow } from '../embedded-row.ts';

export function jsonlPart(rows: EmbeddedRow[]): Uint8Array {
  const lines = rows.map(
    (r) =>
      JSON.stringify({
        id: r.id,
        token_count: r.tokenCount,
        truncated: r.truncated,
        chunk_index: r.chunk?.index,
        chunk_start: r.chunk?.start,
        chunk_end: r.chunk?.end,
        dense: r.dense,
        sparse_indices: r.sparseIndices,
        sparse_values: r.sparseValues,
        colbert: r.colbert,
      }) + '\n',
  );
  return Buffer.from(lines.join(''), 'utf8');
}
