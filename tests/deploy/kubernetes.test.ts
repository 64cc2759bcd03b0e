// deploy/kubernetes/: every manifest validates against the Kubernetes API
// schemas (kubernetes-models, offline), and the settings that must agree with
// the code do: probes on /health at the container's port, a termination grace
// above the server's own shutdown bound, memory from BENCHMARKS.md, weights
// where the server looks, and a corpus Job that is Indexed and runs
// `cli.ts embed` with as many shards as completions.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_CONFIG } from '../../src/server/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'deploy/kubernetes');

type Doc = Record<string, any>;
interface Manifest {
  file: string;
  doc: Doc;
}

/** The TypeScript interface of each kind, for the unknown-field check (the JSON schemas allow extra fields). */
const INTERFACES: Record<string, [module: string, name: string]> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/PersistentVolumeClaim': ['kubernetes-models/v1/PersistentVolumeClaim', 'IPersistentVolumeClaim'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'batch/v1/Job': ['kubernetes-models/batch/v1/Job', 'IJob'],
};

/**
 * Type-checks every manifest as an object literal of its kind's interface: TypeScript's
 * excess-property check rejects unknown or misspelt fields at any depth, which the
 * schemas let through. A deliberately misspelt copy must fail (@ts-expect-error).
 */
async function typecheck(objects: Manifest[]): Promise<string> {
  const dir = join(ROOT, '.cache', `k8s-typecheck-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const key = (d: Doc) => `${d.apiVersion}/${d.kind}`;
  const kinds = [...new Set(objects.map((m) => key(m.doc)))];
  const lines = kinds.map((k) => `import type { ${INTERFACES[k][1]} } from '${INTERFACES[k][0]}';`);
  objects.forEach((m, i) => lines.push(`// ${m.file}`, `export const m${i}: ${INTERFACES[key(m.doc)][1]} = ${JSON.stringify(m.doc)};`));
  const typo = structuredClone(objects.find((m) => m.doc.kind === 'Job')!.doc);
  typo.spec.backofLimitPerIndex = typo.spec.backoffLimitPerIndex;
  delete typo.spec.backoffLimitPerIndex;
  lines.push('// @ts-expect-error: a misspelt field', `export const typo: IJob = ${JSON.stringify(typo)};`);
  writeFileSync(join(dir, 'manifests.ts'), lines.join('\n') + '\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, types: [] },
      files: ['manifests.ts'],
    }),
  );
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')]);
    return '';
  } catch (err) {
    return (err as { stdout?: string }).stdout || String(err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

function load(): Manifest[] {
  return yamlFiles(DIR).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
      assert.deepEqual(d.errors, [], `${file}: YAML errors`);
      return { file: relative(DIR, file), doc: d.toJS() as Doc };
    }),
  );
}

const manifests = load();
const find = (kind: string, component?: string): Doc => {
  const found = manifests.filter((m) => m.doc.kind === kind && (!component || m.doc.metadata?.labels?.['app.kubernetes.io/component'] === component));
  assert.equal(found.length, 1, `one ${kind}${component ? ` (${component})` : ''}`);
  return found[0].doc;
};

function validate(doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  assert.ok(Model, `no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc as never).validate();
}

const seconds = (env: { name: string; value?: string }[], name: string, fallbackMs: number) => {
  const v = env.find((e) => e.name === name)?.value;
  return v === undefined ? fallbackMs / 1000 : Number(v);
};

const gib = (q: string): number => {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(q);
  assert.ok(m, `memory quantity ${q}`);
  return Number(m[1]) / (m[2] === 'Mi' ? 1024 : 1);
};

describe('Kubernetes manifests: schema', () => {
  it('every manifest is a known kind and validates offline; kustomizations list exactly the manifests beside them', () => {
    const kustomizations = manifests.filter((m) => m.doc.kind === 'Kustomization');
    assert.equal(kustomizations.length, 2);
    for (const k of kustomizations) {
      const here = dirname(k.file);
      const beside = manifests
        .filter((m) => dirname(m.file) === here && m.doc.kind !== 'Kustomization')
        .map((m) => relative(here, m.file))
        .sort();
      assert.deepEqual([...k.doc.resources].sort(), beside, k.file);
    }
    const objects = manifests.filter((m) => m.doc.kind !== 'Kustomization');
    assert.equal(objects.length, 6);
    for (const m of objects) assert.doesNotThrow(() => validate(m.doc), m.file);
  });

  it('has no unknown or misspelt field anywhere (type-checked against the API types)', { timeout: 120_000 }, async () => {
    assert.equal(await typecheck(manifests.filter((m) => m.doc.kind !== 'Kustomization')), '');
  });

  it('the validator does reject a broken manifest (so the check above means something)', () => {
    const broken = structuredClone(find('Deployment'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'five thousand';
    assert.throws(() => validate(broken));
    const noContainers = structuredClone(find('Job'));
    delete noContainers.spec.template.spec.containers;
    assert.throws(() => validate(noContainers));
  });
});

describe('Kubernetes manifests: the server', () => {
  const deployment = find('Deployment');
  const pod = deployment.spec.template.spec;
  const server = pod.containers.find((c: Doc) => c.name === 'server');
  const env = server.env as { name: string; value?: string }[];

  it('probes /health on the port the server listens on', () => {
    const port = server.ports.find((p: Doc) => p.name === 'http');
    assert.equal(String(port.containerPort), env.find((e) => e.name === 'PORT')?.value);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const get = server[probe]?.httpGet;
      assert.ok(get, `${probe} is an HTTP probe`);
      assert.equal(get.path, '/health', probe);
      assert.ok(get.port === 'http' || get.port === port.containerPort, probe);
    }
  });

  it('waits longer for termination than the server needs to shut down', () => {
    const preStop = Number(server.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    const grace = seconds(env, 'BGE_M3_SHUTDOWN_GRACE_SECONDS', DEFAULT_CONFIG.shutdownGraceMs);
    const webhooks = seconds(env, 'BGE_M3_SHUTDOWN_WEBHOOK_WAIT_SECONDS', DEFAULT_CONFIG.shutdownWebhookWaitMs);
    const closeHttp = 5; // shutdown.ts: responses still being written get 5 s
    assert.ok(pod.terminationGracePeriodSeconds > preStop + grace + webhooks + closeHttp, `${pod.terminationGracePeriodSeconds} s`);
  });

  it('asks for the memory BENCHMARKS.md measured', () => {
    const bench = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8');
    const m = /doc-8192: predictor peak RSS[^\n]*\(([\d.]+) GiB; ([\d.]+) GiB after setup\)/.exec(bench);
    assert.ok(m, 'the doc-8192 RSS line in BENCHMARKS.md');
    const [peak, afterSetup] = [Number(m[1]), Number(m[2])];
    assert.ok(gib(server.resources.requests.memory) >= afterSetup, 'request covers the resident model');
    assert.ok(gib(server.resources.limits.memory) >= peak * 1.2, 'limit leaves room above the measured peak');
    assert.equal(String(server.resources.limits.cpu), env.find((e) => e.name === 'BGE_M3_THREADS')?.value, 'one onnxruntime thread per CPU of the limit');
  });

  it("downloads the weights with the project's CLI into the volume the server reads", () => {
    const init = pod.initContainers.find((c: Doc) => c.name === 'weights');
    assert.deepEqual(init.args.slice(0, 5), ['node', '--import', 'tsx', 'cli.ts', 'weights']);
    const dir = init.args[init.args.indexOf('--dir') + 1];
    const initMount = init.volumeMounts.find((v: Doc) => v.mountPath === dir);
    const serverMount = server.volumeMounts.find((v: Doc) => v.name === initMount.name);
    assert.equal(env.find((e) => e.name === 'BGE_M3_WEIGHTS')?.value, serverMount.mountPath);
    assert.equal(serverMount.readOnly, true);
  });

  it("keeps the image's tini entrypoint and its `cli.ts serve` command", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^WORKDIR \/src$/m);
    assert.match(dockerfile, /^COPY [^\n]*\bcli\.ts\b[^\n]* \.\/$/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    assert.match(dockerfile, /^CMD \["node", "--import", "tsx", "cli.ts", "serve"\]$/m);
    for (const c of [...pod.containers, ...pod.initContainers]) assert.equal(c.command, undefined, `${c.name}: no command override`);
  });

  it("gives Cog's readiness file a writable /var/run/cog", () => {
    assert.ok(server.volumeMounts.some((v: Doc) => v.mountPath === '/var/run/cog'));
  });

  it('wires the Service, HPA and PodDisruptionBudget to the server pods', () => {
    const labels = deployment.spec.template.metadata.labels;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    assert.ok(matches(deployment.spec.selector.matchLabels));
    const service = find('Service');
    assert.ok(matches(service.spec.selector));
    assert.equal(service.spec.ports[0].targetPort, 'http');
    assert.ok(matches(find('PodDisruptionBudget').spec.selector.matchLabels));
    const hpa = find('HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
    assert.match(readFileSync(join(DIR, 'hpa.yaml'), 'utf8'), /bge_m3_queue_texts/, 'the commented queue-depth variant names a real metric');
  });
});

describe('Kubernetes manifests: the corpus Job', () => {
  const job = find('Job');
  const pod = job.spec.template.spec;
  const embed = pod.containers[0];
  const args = embed.args as string[];
  const flag = (name: string) => args[args.indexOf(name) + 1];

  it('is an Indexed Job with one shard per completion and per-index retries', () => {
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.parallelism, job.spec.completions);
    assert.equal(Number(flag('--shards')), job.spec.completions);
    assert.ok(job.spec.backoffLimitPerIndex >= 1);
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(args.indexOf('--shard'), -1, 'the shard index comes from JOB_COMPLETION_INDEX');
  });

  it('runs `node --import tsx cli.ts embed` with only the flags the corpus CLI defines, on the shared volume', () => {
    assert.deepEqual(args.slice(0, 5), ['node', '--import', 'tsx', 'cli.ts', 'embed']);
    const known = new Set([
      '--input',
      '--output',
      '--format',
      '--id-column',
      '--text-column',
      '--max-length',
      '--no-dense',
      '--no-sparse',
      '--colbert',
      '--shard',
      '--shards',
      '--restart',
      '--weights',
    ]);
    for (const a of args.slice(5).filter((x) => x.startsWith('--'))) assert.ok(known.has(a), a);
    const shared = pod.volumes.find((v: Doc) => v.persistentVolumeClaim)?.name;
    const mount = embed.volumeMounts.find((v: Doc) => v.name === shared).mountPath;
    for (const f of ['--input', '--output']) assert.ok(flag(f).startsWith(`${mount}/`), `${f} ${flag(f)} on the shared volume`);
    const claim = find('PersistentVolumeClaim');
    assert.equal(pod.volumes.find((v: Doc) => v.name === shared).persistentVolumeClaim.claimName, claim.metadata.name);
    assert.ok(claim.spec.accessModes.includes('ReadWriteMany'), 'shards on different nodes share it');
  });

  it("uses the server's image and finds the weights the same way", () => {
    assert.equal(embed.image, find('Deployment').spec.template.spec.containers[0].image);
    const init = pod.initContainers[0];
    const dir = init.args[init.args.indexOf('--dir') + 1];
    assert.equal(embed.env.find((e: Doc) => e.name === 'BGE_M3_WEIGHTS').value, dir);
  });
});
