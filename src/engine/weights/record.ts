// `.bge-m3-weights.json` in the weights directory: which files were downloaded
// and verified, so later runs skip them without re-hashing gigabytes.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const RECORD_NAME = '.bge-m3-weights.json';

export interface RecordedFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface DownloadRecord {
  repo: string;
  revision: string;
  commit?: string;
  files: RecordedFile[];
}

export async function readRecord(dir: string): Promise<DownloadRecord | undefined> {
  try {
    const data = JSON.parse(await readFile(path.join(dir, RECORD_NAME), 'utf8')) as DownloadRecord;
    return Array.isArray(data.files) ? data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeRecord(dir: string, record: DownloadRecord): Promise<void> {
  const file = path.join(dir, RECORD_NAME);
  await writeFile(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}

export function recordedEntry(record: DownloadRecord | undefined, repo: string, revision: string, file: string): RecordedFile | undefined {
  if (!record || record.repo !== repo || record.revision !== revision) return undefined;
  return record.files.find((f) => f.path === file);
}

export function withFile(record: DownloadRecord, entry: RecordedFile): DownloadRecord {
  return { ...record, files: [...record.files.filter((f) => f.path !== entry.path), entry] };
}
