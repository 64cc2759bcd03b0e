// One part being written: rows go to its temporary file a group at a time (a Parquet row group,
// or JSONL lines), so a part holding a long document's thousands of chunk rows never has them
// all in memory; finish() makes it whole under its name (atomic-file.ts) and says what it holds.
import path from 'node:path';
import { AtomicFile } from '../../engine/weights/atomic-file.ts';
import type { EmbeddedRow, Outputs } from '../embedded-row.ts';
import type { PartRecord } from '../manifest.ts';
import { jsonlPart } from './jsonl-part.ts';
import { ParquetPartWriter } from './parquet-part.ts';

export interface GroupLimits {
  /** Rows held before they are written as one group. */
  rows: number;
  /** ColBERT vectors held before they are written as one group. */
  colbertVectors: number;
}

export class PartWriter {
  private readonly out: AtomicFile;
  private readonly parquet?: ParquetPartWriter;
  private held: EmbeddedRow[] = [];
  private heldVectors = 0;
  private first?: EmbeddedRow;
  private last?: EmbeddedRow;
  rows = 0;
  colbertVectors = 0;
  private tokens = 0;

  constructor(
    dir: string,
    readonly part: number,
    readonly file: string,
    format: 'parquet' | 'jsonl',
    outputs: Outputs,
    dim: number,
    private readonly limits: GroupLimits,
  ) {
    this.out = new AtomicFile(path.join(dir, file));
    if (format === 'parquet') this.parquet = new ParquetPartWriter({ write: (bytes) => this.out.write(bytes) }, outputs, dim);
  }

  /** The input row of the last row added. */
  get lastRow(): number | undefined {
    return this.last?.row;
  }

  add(row: EmbeddedRow): void {
    this.first ??= row;
    this.last = row;
    this.held.push(row);
    this.rows++;
    this.tokens += row.tokenCount;
    const vectors = row.colbert?.length ?? 0;
    this.heldVectors += vectors;
    this.colbertVectors += vectors;
    if (this.held.length >= this.limits.rows || this.heldVectors >= this.limits.colbertVectors) this.writeHeld();
  }

  /** Writes what is held and the footer, and gives the part its name. */
  finish(): PartRecord {
    this.writeHeld();
    this.parquet?.finish();
    this.out.commit();
    return {
      part: this.part,
      file: this.file,
      bytes: this.out.bytes,
      rows: this.rows,
      first_row: this.first!.row,
      last_row: this.last!.row,
      tokens: this.tokens,
      input_end_byte: this.last!.endByte,
    };
  }

  /** Removes the unfinished file (the job failed). */
  discard(): void {
    this.out.discard();
  }

  private writeHeld(): void {
    if (!this.held.length) return;
    if (this.parquet) this.parquet.write(this.held);
    else this.out.write(jsonlPart(this.held));
    this.held = [];
    this.heldVectors = 0;
  }
}
