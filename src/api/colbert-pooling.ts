// colbert_pool_factor: a text's ColBERT rows clustered as sentence-transformers'
// HierarchicalTokenPooling does — Ward linkage on the cosine distance 1 - cos,
// cut into max(n // factor, 1) clusters (SciPy's fcluster, criterion
// "maxclust") — each cluster replaced by the mean of its rows, not
// renormalized. Ward runs by the nearest-neighbour chain on a condensed
// distance matrix (n(n-1)/2 float64s), with the Lance–Williams update on the
// given distances, as SciPy's linkage(method="ward") does on a precomputed
// (non-Euclidean) distance. Clusters come out in the order of their first row.

/** Rows kept for n rows at a pool factor. */
export function pooledRowCount(n: number, factor: number): number {
  if (n === 0) return 0;
  return factor <= 1 ? n : Math.max(Math.floor(n / factor), 1);
}

/**
 * `flat` holds n rows of `dim`; returns the pooled rows, flat. Synchronous, on
 * the calling thread; the Predictor pools in its pooling thread (pooling/)
 * with the distances from onnxruntime, which is the same but far faster.
 */
export function poolColbert(flat: Float32Array, dim: number, factor: number): Float32Array {
  const n = flat.length / dim;
  const k = pooledRowCount(n, factor);
  if (k === n) return flat;
  return clusterMeans(flat, dim, wardClusters(cosineDistances(flat, dim), n, k));
}

/** Each cluster's mean row (not renormalized), in the clusters' order. */
export function clusterMeans(flat: Float32Array, dim: number, clusters: number[][]): Float32Array {
  const out = new Float32Array(clusters.length * dim);
  const sum = new Float64Array(dim);
  clusters.forEach((rows, c) => {
    sum.fill(0);
    for (const r of rows) for (let d = 0; d < dim; d++) sum[d] += flat[r * dim + d];
    for (let d = 0; d < dim; d++) out[c * dim + d] = sum[d] / rows.length;
  });
  return out;
}

/** Index of the pair (i, j), i < j, in a condensed matrix of n points. */
function at(n: number, i: number, j: number): number {
  return n * i - (i * (i + 1)) / 2 + j - i - 1;
}

/** The condensed matrix of 1 - cos between rows, in float64. */
export function cosineDistances(flat: Float32Array, dim: number): Float64Array {
  const n = flat.length / dim;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(dot(flat, i * dim, i * dim, dim));
  const out = new Float64Array((n * (n - 1)) / 2);
  // Tiles of rows that stay in cache together: a row-by-row sweep would read all n rows from memory n times.
  for (let bi = 0; bi < n; bi += TILE) {
    for (let bj = bi; bj < n; bj += TILE) {
      for (let i = bi; i < Math.min(bi + TILE, n); i++) {
        for (let j = Math.max(bj, i + 1); j < Math.min(bj + TILE, n); j++) {
          out[at(n, i, j)] = 1 - dot(flat, i * dim, j * dim, dim) / (norms[i] * norms[j] || 1);
        }
      }
    }
  }
  return out;
}

/** Rows per tile: two tiles of 1024-wide float32 rows take 256 KiB. */
const TILE = 32;

function dot(v: Float32Array, a: number, b: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    s0 += v[a + d] * v[b + d];
    s1 += v[a + d + 1] * v[b + d + 1];
    s2 += v[a + d + 2] * v[b + d + 2];
    s3 += v[a + d + 3] * v[b + d + 3];
  }
  for (; d < dim; d++) s0 += v[a + d] * v[b + d];
  return s0 + s1 + s2 + s3;
}

/**
 * Ward's clusters of n points from their condensed distances (overwritten),
 * cut as fcluster(criterion="maxclust", t=k) cuts: the merges up to and
 * including the (n - k)-th lowest height (so fewer than k clusters on a tie
 * at the cut). Each cluster is its row indices, ascending; clusters ordered
 * by their first row.
 */
export function wardClusters(dist: Float64Array, n: number, k: number): number[][] {
  const merges = wardMerges(dist, n);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const cut = n - k > 0 ? merges[n - k - 1].height : -Infinity;
  for (const m of merges) {
    if (m.height > cut) break;
    parent[root(m.a)] = root(m.b);
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = root(i);
    const rows = byRoot.get(r);
    if (rows) rows.push(i);
    else byRoot.set(r, [i]);
  }
  return [...byRoot.values()];
}

interface Merge {
  a: number;
  b: number;
  height: number;
}

/** The n - 1 merges (of any row of each cluster), sorted by height, stable. */
function wardMerges(dist: Float64Array, n: number): Merge[] {
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  let chainLength = 0;
  const merges: Merge[] = [];
  for (let step = 0; step < n - 1; step++) {
    if (chainLength === 0) {
      chain[0] = size.findIndex((s) => s > 0);
      chainLength = 1;
    }
    let x: number;
    let y = -1;
    let best: number;
    for (;;) {
      x = chain[chainLength - 1];
      if (chainLength > 1) {
        y = chain[chainLength - 2];
        best = dist[x < y ? at(n, x, y) : at(n, y, x)];
      } else best = Infinity;
      // Every live i in ascending order (ties keep the first): down column x (i < x), then along row x.
      for (let i = 0, ix = x - 1; i < x; ix += n - i - 2, i++) {
        if (size[i] !== 0 && dist[ix] < best) {
          best = dist[ix];
          y = i;
        }
      }
      for (let i = x + 1, xi = at(n, x, x + 1); i < n; i++, xi++) {
        if (size[i] !== 0 && dist[xi] < best) {
          best = dist[xi];
          y = i;
        }
      }
      if (chainLength > 1 && y === chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x];
    const ny = size[y];
    merges.push({ a: x, b: y, height: best });
    size[x] = 0;
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      const ni = size[i];
      if (ni === 0 || i === y) continue;
      const ix = i < x ? at(n, i, x) : at(n, x, i);
      const iy = i < y ? at(n, i, y) : at(n, y, i);
      dist[iy] = ward(dist[ix], dist[iy], best, nx, ny, ni);
    }
  }
  return merges
    .map((m, i) => ({ m, i }))
    .sort((p, q) => p.m.height - q.m.height || p.i - q.i)
    .map((p) => p.m);
}

/** Lance–Williams for Ward: the distance from cluster i to the union of x and y. */
function ward(dxi: number, dyi: number, dxy: number, nx: number, ny: number, ni: number): number {
  const t = 1 / (nx + ny + ni);
  return Math.sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
}
