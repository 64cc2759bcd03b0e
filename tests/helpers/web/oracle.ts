// What the playground shows is checked against the server itself, asked
// directly (not through the page), and against plain arithmetic done here.
export async function predictDirect(serverUrl: string, input: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${serverUrl}/predictions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  const body = await res.json();
  if (res.status !== 200 || body.status !== 'succeeded') throw new Error(`direct prediction failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return body.output;
}

/** The 422 body the /v1 route gives for `input`. */
export async function rejectionOf(serverUrl: string, input: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${serverUrl}/v1/predictions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer: 'wait=1' },
    body: JSON.stringify({ input }),
  });
  if (res.status !== 422) throw new Error(`expected a 422 for ${JSON.stringify(input)}, got ${res.status}`);
  return res.json();
}

/** For each query row, the index of the passage row with the largest dot product. */
export function bestMatches(query: number[][], passage: number[][]): number[] {
  return query.map((q) => {
    let best = 0;
    let bestScore = -Infinity;
    passage.forEach((p, j) => {
      const s = q.reduce((acc, x, k) => acc + x * p[k], 0);
      if (s > bestScore) {
        best = j;
        bestScore = s;
      }
    });
    return best;
  });
}

export function argmax(xs: number[]): number {
  return xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
}

export function assertClose(actual: number, expected: number, what: string, tol = 1e-4): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: ${actual} is not within ${tol} of ${expected}`);
}
