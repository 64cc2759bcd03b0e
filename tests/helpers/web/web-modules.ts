// The playground's DOM-free modules (plain JavaScript under web/js/, checked
// by `npx tsc -p web`), loaded for the Node tests with the types they need.
// The root tsconfig does not read JavaScript, so the types are restated here.

export interface Rows {
  data: Float64Array;
  rows: number;
  dim: number;
}
export interface Embedded {
  dense?: number[];
  sparse?: Record<string, number>;
  colbert?: Rows;
}
export type ScoreKind = 'dense' | 'sparse' | 'colbert' | 'hybrid';

export interface ScoresModule {
  denseScore(a: ArrayLike<number>, b: ArrayLike<number>): number;
  sparseScore(q: Record<string, number>, p: Record<string, number>): number;
  colbertScore(q: Rows, p: Rows): number;
  hybridScore(dense: number, sparse: number, colbert: number, w: readonly number[]): number;
  toRows(rows: number[][]): Rows;
  maxSimAlignment(q: Rows, p: Rows): { best: number; score: number }[];
  missingFor(items: Embedded[], kind: ScoreKind): string[];
  embeddedText(output: unknown, i: number): Embedded;
  ScoreMatrices: new (items: Embedded[], weights: readonly number[]) => { get(kind: ScoreKind): number[][] };
}

export interface TokenLabelsModule {
  colbertRowLabels(t: { text: string; rows: number; truncated: boolean; weights?: Record<string, number>; tokens?: Record<string, string> }): {
    labels: string[];
    fromTokens: boolean;
  };
  tokenOrder(text: string, count: number, weights?: Record<string, number>, tokens?: Record<string, string>): string[] | null;
}

export interface CurlModule {
  curlCommand(serverRoot: string, input: Record<string, unknown>, withKey?: boolean): string;
  shellQuote(s: string): string;
}

export interface ApiModule {
  validationIssues(body: unknown): { loc: (string | number)[]; msg: string; type?: string }[];
}

export interface HealthModule {
  findBanners(json: unknown): string[];
  readiness(health: unknown): { ready: boolean; waiting: boolean; message: string };
}

function load<T>(name: string): Promise<T> {
  return import(new URL(`../../../web/js/${name}.js`, import.meta.url).href) as Promise<T>;
}

export const loadScores = () => load<ScoresModule>('scores');
export const loadTokenLabels = () => load<TokenLabelsModule>('token-labels');
export const loadCurl = () => load<CurlModule>('curl');
export const loadApi = () => load<ApiModule>('api');
export const loadHealth = () => load<HealthModule>('health');

export interface ChunkSpansModule {
  chunkSegments(text: string, chunks: { chunk_index: number; start: number; end: number }[]): { text: string; chunks: number[] }[];
}
export const loadChunkSpans = () => load<ChunkSpansModule>('chunk-spans');

export interface OutputShapesModule {
  viewableOutput(output: unknown, sparseFormat?: string, vectorType?: string): any;
  decodeFloat32Base64(text: string): Float32Array;
  tokenFromKey(key: string): string;
}

export const loadOutputShapes = () => load<OutputShapesModule>('output-shapes');
