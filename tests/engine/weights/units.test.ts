import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { generatedBytes } from '../../helpers/weights/fake-hub.ts';
import { gitBlobSha1 } from '../../../src/engine/weights/hashing.ts';
import { digestFromEtag, readHubInfo, resolveUrl, startFromContentRange, totalFromContentRange } from '../../../src/engine/weights/hub-headers.ts';
import { PINNED_FILES, PINNED_REVISION, filesForRevision, totalBytes } from '../../../src/engine/weights/manifest.ts';

describe('git blob sha1', () => {
  it('matches `git hash-object` for empty, text and binary content', () => {
    for (const content of [Buffer.alloc(0), Buffer.from('{"hidden_size": 1024}\n'), generatedBytes(70_000, 9)]) {
      const oracle = execFileSync('git', ['hash-object', '--stdin'], { input: content }).toString().trim();
      assert.equal(gitBlobSha1(content), oracle);
    }
  });
});

describe('Hub response headers', () => {
  it('prefers X-Linked-Etag (LFS sha256) over the ETag of the redirect itself', () => {
    const sha = 'ab'.repeat(32);
    const info = readHubInfo(
      new Headers({ 'x-linked-etag': `"${sha}"`, 'x-linked-size': '2266820608', etag: 'W/"' + 'cd'.repeat(20) + '"', 'x-repo-commit': PINNED_REVISION }),
    );
    assert.deepEqual(info, { sha256: sha, size: 2_266_820_608, commit: PINNED_REVISION });
  });

  it('reads a non-LFS ETag as a git blob sha1, weak or not, and ignores other ETag shapes', () => {
    assert.deepEqual(digestFromEtag('W/"3CDC05E5F550D8BD136F28EFCEA0AD5E6B4169C8"'), { gitSha1: '3cdc05e5f550d8bd136f28efcea0ad5e6b4169c8' });
    assert.deepEqual(digestFromEtag('"d41d8cd98f00b204e9800998ecf8427e"'), {});
    assert.deepEqual(digestFromEtag(null), {});
  });

  it('parses Content-Range', () => {
    assert.equal(startFromContentRange('bytes 100-199/200'), 100);
    assert.equal(totalFromContentRange('bytes 100-199/200'), 200);
    assert.equal(totalFromContentRange('bytes */4096'), 4096);
    assert.equal(startFromContentRange('bytes */4096'), undefined);
  });

  it('builds resolve URLs with encoded segments and no doubled slash', () => {
    assert.equal(
      resolveUrl('https://hf-mirror.example/', 'BAAI/bge-m3', 'refs/pr/1', 'onnx/model.onnx'),
      'https://hf-mirror.example/BAAI/bge-m3/resolve/refs%2Fpr%2F1/onnx/model.onnx',
    );
  });
});

describe('pinned manifest', () => {
  it('lists the ONNX export, its external data, the tokenizer and both heads once each', () => {
    const paths = PINNED_FILES.map((f) => f.path);
    assert.equal(new Set(paths).size, paths.length);
    for (const p of ['onnx/model.onnx', 'onnx/model.onnx_data', 'onnx/Constant_7_attr__value', 'tokenizer.json', 'sparse_linear.pt', 'colbert_linear.pt'])
      assert.ok(paths.includes(p), p);
    assert.ok(PINNED_FILES.every((f) => /^[0-9a-f]{64}$/.test(f.sha256!) && Number.isInteger(f.bytes)));
    assert.match(PINNED_REVISION, /^[0-9a-f]{40}$/);
    assert.ok(totalBytes(PINNED_FILES)! > 2.2e9);
  });

  it('carries no hashes for other revisions, so the Hub headers decide', () => {
    assert.ok(filesForRevision('main').every((f) => f.sha256 === undefined && f.bytes === undefined));
    assert.equal(totalBytes(filesForRevision('main')), null);
  });
});
