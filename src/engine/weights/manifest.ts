// What `npm run weights` downloads: the pinned BAAI/bge-m3 revision's official
// ONNX export, its tokenizer and the two head files, with their sizes and hashes.
//
// Sizes and sha256 values were collected from several independent public
// manifests that pin this same revision (Rust, Go, Python and TS projects that
// download BGE-M3), and agree with the Hub's "Large File Pointer" pages for the
// LFS files. The hashes are checked again at download time against the Hub's
// own headers (X-Linked-Etag for LFS files, the git blob ETag for small files),
// so a wrong value here fails loudly instead of accepting a bad file.

export const REPO_ID = 'BAAI/bge-m3';
export const PINNED_REVISION = '5617a9f61b028005a4858fdac845db406aefb181';

export interface WeightFile {
  /** Path inside the repo, and inside the weights directory. */
  path: string;
  /** Size in bytes, when known. */
  bytes?: number;
  /** sha256 of the content, when known. */
  sha256?: string;
  /** Git blob sha1 (small non-LFS files; the Hub's ETag for them), when known. */
  gitSha1?: string;
}

export const PINNED_FILES: readonly WeightFile[] = [
  { path: 'onnx/model.onnx', bytes: 724_923, sha256: 'f84251230831afb359ab26d9fd37d5936d4d9bb5d1d5410e66442f630f24435b' },
  { path: 'onnx/model.onnx_data', bytes: 2_266_820_608, sha256: '1eebfb28493f67bba03ce0ef64bfdc7fc5a3bd9d7493f818bb1d78cd798416b4' },
  { path: 'onnx/Constant_7_attr__value', bytes: 65_552, sha256: 'cdf16f72c5d07b36484056e601ed9687f78477e5d85cee85a34f2406b7fb5906' },
  { path: 'onnx/config.json', bytes: 698, sha256: 'f24afd5de914fba8c668426c43d208a1a54022500c63b2c160be20891686fce8' },
  { path: 'tokenizer.json', bytes: 17_098_108, sha256: '21106b6d7dab2952c1d496fb21d5dc9db75c28ed361a05f5020bbba27810dd08' },
  { path: 'tokenizer_config.json', bytes: 444, sha256: 'a62b2b6784f990259fddef5f16388693a8043be4f69179e6a5257eeb3f9abac4' },
  { path: 'special_tokens_map.json', bytes: 964, sha256: '8c785abebea9ae3257b61681b4e6fd8365ceafde980c21970d001e834cf10835' },
  { path: 'config.json', bytes: 687, sha256: '26159e7ad065073448460117eb24b7a4572f6f4e78eadff65dc0a11c052449fa' },
  { path: 'sparse_linear.pt', bytes: 3_516, sha256: '45c93804d2142b8f6d7ec6914ae23a1eee9c6a1d27d83d908a20d2afb3595ad9' },
  { path: 'colbert_linear.pt', bytes: 2_100_674, sha256: '19bfbae397c2b7524158c919d0e9b19393c5639d098f0a66932c91ed8f5f9abb' },
];

/**
 * The files to fetch at `revision`. Sizes and hashes are only known for the
 * pinned revision; at any other revision the Hub's reported hashes are used.
 */
export function filesForRevision(revision: string): WeightFile[] {
  if (revision === PINNED_REVISION) return PINNED_FILES.map((f) => ({ ...f }));
  return PINNED_FILES.map(({ path }) => ({ path }));
}

export function totalBytes(files: readonly WeightFile[]): number | null {
  let sum = 0;
  for (const f of files) {
    if (f.bytes === undefined) return null;
    sum += f.bytes;
  }
  return sum;
}
