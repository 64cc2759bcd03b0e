// Progress events of a weights download, and the tracker that makes the
// overall byte count monotonic (a restart after a server ignored Range does
// not move the bar backwards; it holds until the new bytes pass the old mark).

export interface DownloadProgress {
  /** Repo path of the file being worked on. */
  file: string;
  phase: 'download' | 'verify' | 'done';
  fileIndex: number;
  fileCount: number;
  /** Bytes of this file on disk, and its size when known. */
  fileBytes: number;
  fileTotal: number | null;
  /** Bytes of all files on disk (never decreases), and the total when known. */
  bytes: number;
  total: number | null;
}

export class ProgressTracker {
  private finished = 0;
  private reported = 0;

  constructor(
    private readonly total: number | null,
    private readonly fileCount: number,
    private readonly onProgress?: (p: DownloadProgress) => void,
    alreadyPresent = 0,
  ) {
    this.finished = alreadyPresent;
    this.reported = alreadyPresent;
  }

  update(file: string, fileIndex: number, phase: DownloadProgress['phase'], fileBytes: number, fileTotal: number | undefined): void {
    if (!this.onProgress) return;
    this.reported = Math.max(this.reported, this.finished + fileBytes);
    this.onProgress({ file, phase, fileIndex, fileCount: this.fileCount, fileBytes, fileTotal: fileTotal ?? null, bytes: this.reported, total: this.total });
  }

  finish(file: string, fileIndex: number, bytes: number): void {
    this.update(file, fileIndex, 'done', bytes, bytes);
    this.finished += bytes;
  }
}
