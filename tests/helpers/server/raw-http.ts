// One HTTP request exactly as written: any method, a path with any bytes
// (malformed percent-encoding included), any headers and body. fetch would
// normalize or refuse some of these.
import { request } from 'node:http';

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: any;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function rawRequest(base: string, r: RawRequest): Promise<RawReply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    // A fresh connection per request: a reply sent before its body was read may close the connection.
    const length = r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) };
    const req = request({ host: u.hostname, port: u.port, method: r.method, path: r.path, headers: { ...length, ...r.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

/**
 * What in a response reveals the server's files or code: a stack frame, a
 * source file with a line number, node_modules, or the absolute path of the
 * project (or the folders in `secretDirs`, e.g. also the weights folder). A path the client
 * sent itself (e.g. a file:// webhook echoed in a 422) is not a leak.
 */
export function leak(text: string, secretDirs: string[] = [REPO_ROOT]): string | undefined {
  const patterns = [/\n\s+at \S/, /\\n\s*at \S/, /\bat (?:async )?[\w.<>$]+ \(/, /\.(?:ts|js|mjs|cjs):\d+/, /node_modules/];
  const hit = patterns.find((p) => p.test(text));
  if (hit) return text.match(hit)![0];
  return secretDirs.find((dir) => text.includes(dir));
}
