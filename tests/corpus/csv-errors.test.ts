// A CSV input that goes bad part way (a malformed record, a read error) ends
// the corpus job with the file, the line and the fix, keeping every complete
// part on disk and in the manifest; a rerun after fixing continues after them.
import assert from 'node:assert/strict';
import fs, { readFileSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, mock } from 'node:test';
import { Predictor } from '../../predict.ts';
import { officialWeights } from '../helpers/server/real-model.ts';
import { makeCorpus, readParquetParts, runCli, runJobInProcess, tempDir, toCsv, type CorpusRow } from '../helpers/corpus.ts';

const SHARD = 'shard-00000-of-00001';
const corpus = makeCorpus(60, 17, 15);
const BAD = 45;

/** The CSV with record BAD replaced by `bad`, and the line that record starts on (counted in the text itself). */
function breakRecord(rows: CorpusRow[], bad: string): { text: string; line: number } {
  const good = toCsv(rows);
  const records = good.split(/(?<=\r\n)(?=doc-)/);
  records[BAD + 1] = bad;
  const before = records.slice(0, BAD + 1).join('');
  return { text: records.join(''), line: before.split('\n').length };
}

function manifest(out: string) {
  return JSON.parse(readFileSync(path.join(out, `${SHARD}.manifest.json`), 'utf8'));
}

describe('CSV input errors end the job with file, line and fix, keeping complete parts', async () => {
  const weights = await officialWeights();

  const cases: [string, string, RegExp][] = [
    [
      'an unclosed quote',
      `doc-${BAD},"this quote is never closed\r\n`,
      /a quoted field in the record starting here is not closed where it should be .*Add the closing double quote/,
    ],
    [
      'a record with more fields than the header',
      `doc-${BAD},one,two\r\n`,
      /record 46 has 3 fields where the header has 2\. Put a field that holds commas or line breaks in double quotes/,
    ],
  ];
  for (const [what, bad, fix] of cases) {
    it(`${what}: exit 2 naming the line; the 4 complete parts are kept; the fixed file continues after them`, async () => {
      const dir = tempDir('csv-bad');
      const input = path.join(dir, 'c.csv');
      const out = path.join(dir, 'out');
      const broken = breakRecord(corpus, bad);
      writeFileSync(input, broken.text);
      const args = ['embed', '--input', input, '--output', out, '--part-rows', '10', '--weights', weights];
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`Error: ${input.replace(/[.]/g, '\\.')} line ${broken.line}: `));
      assert.match(r.stderr, fix);
      assert.match(
        r.stderr,
        /The 4 complete part\(s\), up to input row 39, are kept and listed in .*manifest\.json\. After fixing the input, rerun the same command/,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      const m = manifest(out);
      assert.equal(m.complete, false);
      assert.deepEqual(
        m.parts.map((p: { file: string }) => p.file),
        readParquetParts(out).map((p) => p.file),
        'every part on disk is listed',
      );
      assert.deepEqual(
        readParquetParts(out).flatMap((p) => p.rows.map((x) => x.id)),
        corpus.slice(0, 40).map((x) => x.id),
      );
      const stamps = m.parts.map((p: { file: string }) => statSync(path.join(out, p.file)).mtimeMs);

      // An edit to the rows the parts were made from is refused: they would no longer match.
      const good = toCsv(corpus);
      writeFileSync(input, good.replace('doc-0,', 'doc-0x,'));
      const refused = await runCli(args);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /the first \d+ bytes, which its complete parts were made from, changed too/);

      writeFileSync(input, good);
      const fixed = await runCli(args);
      assert.equal(fixed.code, 0, fixed.stderr);
      assert.match(
        fixed.stderr,
        /changed since this shard stopped at an input error; its first \d+ bytes, which the complete parts were made from, did not: continuing/,
      );
      assert.match(fixed.stderr, /4 complete part\(s\) found, continuing after row 39/);
      assert.deepEqual(
        m.parts.map((p: { file: string }) => statSync(path.join(out, p.file)).mtimeMs),
        stamps,
        'the kept parts are not rewritten',
      );
      assert.deepEqual(
        readParquetParts(out).flatMap((p) => p.rows.map((x) => x.id)),
        corpus.map((x) => x.id),
      );
      assert.equal(manifest(out).complete, true);
      assert.equal(manifest(out).stopped, undefined);
    });
  }

  it('a read error mid-file: the message names the file and the line after the last record read; the unchanged file continues', async () => {
    const dir = tempDir('csv-eio');
    const input = path.join(dir, 'c.csv');
    const out = path.join(dir, 'out');
    const text = toCsv(corpus);
    writeFileSync(input, text);
    const failAt = Math.floor(Buffer.byteLength(text) * 0.8);
    // The reader's second stream of this file (the first reads the header) fails after `failAt` bytes, in small reads.
    const original = fs.createReadStream;
    let opened = 0;
    mock.method(fs, 'createReadStream', (file: fs.PathLike, opts?: object) => {
      if (file !== input || opened++ === 0) return original(file, opts as Parameters<typeof original>[1]);
      const bytes = readFileSync(input).subarray(0, failAt);
      let at = 0;
      return new Readable({
        read() {
          if (at < bytes.length) {
            this.push(bytes.subarray(at, at + 256));
            at += 256;
          } else {
            this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' }));
          }
        },
      });
    });
    syncBuiltinESMExports();
    const predictor = new Predictor();
    await predictor.setup({ weights, log: () => {} });
    const run = () => runJobInProcess(predictor, { input, output: out, weights, partRows: 10 });
    try {
      let message = '';
      await assert.rejects(run(), (err: Error) => {
        message = err.message;
        return true;
      });
      const m = /^(.*) line (\d+): reading failed after line (\d+) \(EIO: i\/o error, read\)\. The file system reported an error: check the disk or mount/.exec(
        message,
      );
      assert.ok(m, message);
      assert.equal(m[1], input);
      assert.equal(Number(m[2]), Number(m[3]) + 1);
      const linesRead = text.slice(0, failAt).split('\n').length;
      assert.ok(Number(m[3]) < linesRead, `line ${m[3]} was within the bytes read before the error`);
      const kept = manifest(out).parts as { file: string; last_row: number }[];
      assert.ok(kept.length >= 1, `complete parts before the error are kept (${message})`);
      assert.match(message, new RegExp(`The ${kept.length} complete part\\(s\\), up to input row ${kept.at(-1)!.last_row}, are kept`));
      // The failing disk fails the check of the kept bytes too: the rerun then needs the file unchanged, and says so.
      assert.match(message, /Rerun the same command once the input reads again: it continues after the kept parts\.$/);
      assert.deepEqual(
        readParquetParts(out).flatMap((p) => p.rows.map((x) => x.id)),
        corpus.slice(0, kept.length * 10).map((x) => x.id),
      );
    } finally {
      mock.restoreAll();
      syncBuiltinESMExports();
    }
    const rerun = await run();
    await predictor.close();
    assert.equal(rerun.partsSkipped + rerun.partsWritten, 6);
    assert.deepEqual(
      readParquetParts(out).flatMap((p) => p.rows.map((x) => x.id)),
      corpus.map((x) => x.id),
    );
    assert.equal(manifest(out).complete, true);
  });
});
