// A local imitation of the Hugging Face Hub for the downloader's tests: a "hub"
// server that answers /{repo}/resolve/{revision}/{path} (302 to a separate
// "CDN" server for LFS files, with X-Linked-Etag/X-Linked-Size; 200 with a git
// blob ETag for small files), and the CDN that serves bytes with Range support.
// Switches make either misbehave: cut the connection, stall, ignore Range,
// serve corrupt bytes, demand a token.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gitBlobSha1 } from '../../../src/engine/weights/hashing.ts';

export interface FakeFile {
  path: string;
  content: Buffer;
  lfs: boolean;
}

export interface Misbehaviour {
  /** Send this many body bytes, then destroy the socket (applies to the next `times` responses). */
  cutAfter?: number;
  /** Send this many body bytes, then stop sending and keep the socket open. */
  stallAfter?: number;
  times?: number;
  ignoreRange?: boolean;
  /** Serve bytes with one flipped byte (the headers still announce the true hash). */
  corrupt?: boolean;
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  path: string;
  range?: string;
  authorization?: string;
  acceptEncoding?: string;
}

export interface FakeHubOptions {
  repo: string;
  revision: string;
  commit?: string;
  files: FakeFile[];
  /** When set, the hub answers 401 unless Authorization is `Bearer <token>`. */
  token?: string;
  /** When set with token, an authenticated request still gets 403 GatedRepo. */
  gated?: boolean;
}

export class FakeHub {
  readonly requests: RecordedRequest[] = [];
  private readonly misbehaviour = new Map<string, Misbehaviour>();
  private readonly sockets = new Set<Socket>();
  private hub = http.createServer((q, s) => this.onHub(q, s));
  private cdn = http.createServer((q, s) => this.onCdn(q, s));
  hubUrl = '';
  cdnUrl = '';

  constructor(readonly opts: FakeHubOptions) {
    for (const server of [this.hub, this.cdn]) {
      server.on('connection', (sock) => {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
      });
    }
  }

  static sha256(content: Buffer): string {
    return createHash('sha256').update(content).digest('hex');
  }

  async start(): Promise<this> {
    this.hubUrl = await listen(this.hub);
    this.cdnUrl = await listen(this.cdn);
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([this.hub, this.cdn].map((s) => new Promise((r) => s.close(r))));
  }

  misbehave(path: string, m: Misbehaviour): void {
    this.misbehaviour.set(path, { times: 1, ...m });
  }

  private onHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.record('hub', req);
    const m = decodeURIComponent(req.url ?? '').match(/^\/(.+?)\/resolve\/([^/]+)\/(.+)$/);
    const commit = this.opts.commit ?? this.opts.revision;
    res.setHeader('x-repo-commit', commit);
    if (!m || m[1] !== this.opts.repo) return error(res, 404, 'RepoNotFound', 'Repository not found');
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return error(res, 401, this.opts.gated ? 'GatedRepo' : '', 'Invalid credentials in Authorization header');
    }
    if (this.opts.gated) return error(res, 403, 'GatedRepo', `Access to model ${this.opts.repo} is restricted and you are not in the authorized list.`);
    if (m[2] !== this.opts.revision && m[2] !== commit) return error(res, 404, 'RevisionNotFound', `Invalid rev id: ${m[2]}`);
    const file = this.opts.files.find((f) => f.path === m[3]);
    if (!file) return error(res, 404, 'EntryNotFound', `${m[3]} does not exist on "${m[2]}"`);
    if (file.lfs) {
      const sha = FakeHub.sha256(file.content);
      res.writeHead(302, {
        location: `${this.cdnUrl}/xet/${sha}?signed=1`,
        'x-linked-etag': `"${sha}"`,
        'x-linked-size': String(file.content.length),
        etag: `"${sha}"`,
      });
      return void res.end();
    }
    res.setHeader('etag', `"${gitBlobSha1(file.content)}"`);
    this.serveBytes(file, req, res);
  }

  private onCdn(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.record('cdn', req);
    const sha = req.url?.match(/^\/xet\/([0-9a-f]{64})/)?.[1];
    const file = this.opts.files.find((f) => f.lfs && FakeHub.sha256(f.content) === sha);
    if (!file) return error(res, 404, '', 'no such object');
    res.setHeader('etag', '"cdn-object-1"');
    this.serveBytes(file, req, res);
  }

  private serveBytes(file: FakeFile, req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = this.takeMisbehaviour(file.path);
    let body = file.content;
    if (m?.corrupt) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    const start = m?.ignoreRange ? undefined : parseRange(req.headers.range);
    if (start !== undefined && start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` });
      return void res.end();
    }
    if (start !== undefined) {
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'accept-ranges': 'bytes',
      });
      body = body.subarray(start);
    } else {
      res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
    }
    // end() (FIN) rather than destroy() (RST) so the bytes already sent reliably arrive first.
    if (m?.cutAfter !== undefined) return void res.write(body.subarray(0, m.cutAfter), () => res.socket?.end());
    if (m?.stallAfter !== undefined) return void res.write(body.subarray(0, m.stallAfter));
    res.end(body);
  }

  private takeMisbehaviour(path: string): Misbehaviour | undefined {
    const m = this.misbehaviour.get(path);
    if (!m) return undefined;
    if (m.times !== undefined && --m.times <= 0) this.misbehaviour.delete(path);
    return m;
  }

  private record(server: 'hub' | 'cdn', req: http.IncomingMessage): void {
    this.requests.push({
      server,
      path: decodeURIComponent(req.url ?? ''),
      range: req.headers.range,
      authorization: req.headers.authorization,
      acceptEncoding: req.headers['accept-encoding'],
    });
  }
}

function parseRange(header: string | undefined): number | undefined {
  const m = header?.match(/^bytes=(\d+)-$/);
  return m ? Number(m[1]) : undefined;
}

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
  if (code) res.setHeader('x-error-code', code);
  res.setHeader('x-error-message', message);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: message }));
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** Deterministic pseudo-random bytes, so the fixtures need no files on disk. */
export function generatedBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
