// What the corpus job reports as it goes: rows and tokens embedded, and how
// far through the input it is. Drawing it is the command line's job
// (src/cli/job-progress.ts).

export interface JobCounts {
  rows: number;
  tokens: number;
  /** How far reading the input has got, 0..1. */
  fraction: number;
}

export interface JobProgress {
  /** Prints a line without garbling the progress display. */
  readonly log: (line: string) => void;
  /** Embedding starts (the model is loaded) at this point of the input: the rate and ETA count from here. */
  resumeAt(fraction: number): void;
  /** The counts so far; `force` shows them now rather than at the next interval. */
  update(counts: JobCounts, force?: boolean): void;
}
