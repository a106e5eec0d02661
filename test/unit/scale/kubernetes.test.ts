/**
 * The Kubernetes manifests of `matrix --k8s N`, checked against the batch/v1 Job schema that kubernetes-models
 * generates from Kubernetes' own OpenAPI document (types, enums, required fields, integer formats), and their
 * shell run here with a stand-in `svcca-studio` on PATH. No cluster is contacted.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardedMatrixJob } from '../../../native/scale/job.js';
import { K8S_DEFAULTS, kubernetesManifests, PARTS_MOUNT, type JobManifest } from '../../../native/scale/kubernetes.js';

const ROOT = resolve(__dirname, '../../..');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-k8s-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (over: Partial<ShardedMatrixJob> = {}): ShardedMatrixJob => ({
  workspace: '/workspace',
  layer: 'conv2',
  method: 'svcca',
  args: ['--layer', 'conv2', '--method', 'svcca', '--runs', 'seed 1|2', '--dims', '20'],
  shards: 5,
  ...over,
});

const manifests = (over: Partial<ShardedMatrixJob> = {}, parallelism?: number) =>
  kubernetesManifests(job(over), { ...K8S_DEFAULTS, image: 'registry.example/svcca-studio:0.1', ...(parallelism ? { parallelism } : {}), cpus: 2 });

/** Validation by the generated schema; returns the first complaint, or null when the manifest is a valid Job. */
function schemaError(manifest: unknown): string | null {
  try {
    new Job(manifest as ConstructorParameters<typeof Job>[0]).validate();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('kubernetes manifests', () => {
  it('are valid batch/v1 Jobs, and the schema check can fail', () => {
    const { shards, merge } = manifests();
    expect(schemaError(shards)).toBeNull();
    expect(schemaError(merge)).toBeNull();
    // The same check refuses what a cluster would: so a pass above means something.
    const broken = (edit: (m: JobManifest) => void): string | null => {
      const copy = structuredClone(shards);
      edit(copy);
      return schemaError(copy);
    };
    expect(broken((m) => ((m.spec as { completions: unknown }).completions = '5'))).toMatch(/completions must be integer/);
    expect(broken((m) => ((m.spec as { completionMode: unknown }).completionMode = 'indexed'))).toMatch(/completionMode/);
    expect(broken((m) => delete (m.spec.template.spec.containers[0] as { name?: string }).name)).toMatch(/required property .?name/);
    expect(broken((m) => ((m.spec.template.spec.containers[0]!.volumeMounts[0] as { mountPath?: unknown }).mountPath = 7))).toMatch(/mountPath must be string/);
  });

  it('the written files (matrix --k8s) are valid Jobs too', () => {
    const out = join(dir, 'cli');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/svcca-studio.js'), 'matrix', '--layer', 'fc', '--method', 'cka', '--k8s', '3', '--parallelism', '2', '--out', out, '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { files: { shards: string; merge: string }; commands: string[]; name: string };
    for (const file of [report.files.shards, report.files.merge]) expect(schemaError(JSON.parse(readFileSync(file, 'utf8')))).toBeNull();
    expect(report.commands).toContain(`kubectl wait --for=condition=complete --timeout=-1s job/${report.name}`);
  });

  it('emits exactly these fields (the schema, like the API server, would let a misspelt one through)', () => {
    const { shards, merge } = manifests();
    const keys = (o: object): string[] => Object.keys(o).sort();
    expect(keys(shards)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(keys(shards.metadata)).toEqual(['labels', 'name']);
    expect(keys(shards.spec)).toEqual(['backoffLimitPerIndex', 'completionMode', 'completions', 'parallelism', 'template']);
    expect(keys(merge.spec)).toEqual(['backoffLimit', 'completions', 'parallelism', 'template']);
    for (const m of [shards, merge]) {
      expect(keys(m.spec.template)).toEqual(['metadata', 'spec']);
      expect(keys(m.spec.template.spec)).toEqual(['containers', 'restartPolicy', 'volumes']);
      expect(keys(m.spec.template.spec.containers[0]!)).toEqual(['command', 'env', 'image', 'name', 'resources', 'volumeMounts']);
    }
  });

  it('an Indexed Job of N completions, parallelism capped at N, and a one-pod merge', () => {
    const { shards, merge, name } = manifests({}, 3);
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: 5, parallelism: 3 });
    expect(manifests({}, 99).shards.spec.parallelism).toBe(5);
    expect(merge.spec).toMatchObject({ completions: 1, parallelism: 1 });
    expect(merge.spec.completionMode).toBeUndefined();
    expect(merge.metadata.name).toBe(`${name}-merge`);
    for (const m of [shards, merge]) expect(m.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('the volume layout: workspace claim read-only, parts claim writable, the index on an emptyDir', () => {
    const { shards, merge } = manifests();
    for (const m of [shards, merge]) {
      const pod = m.spec.template.spec;
      expect(pod.volumes).toEqual([
        { name: 'workspace', persistentVolumeClaim: { claimName: 'svcca-workspace', readOnly: true } },
        { name: 'parts', persistentVolumeClaim: { claimName: 'svcca-parts' } },
        { name: 'scratch', emptyDir: {} },
      ]);
      expect(pod.containers[0]!.volumeMounts).toEqual([
        { name: 'workspace', mountPath: '/workspace', readOnly: true },
        { name: 'parts', mountPath: '/parts' },
        { name: 'scratch', mountPath: '/scratch' },
      ]);
      expect(pod.containers[0]!.resources.requests).toEqual({ cpu: '2' });
      expect(pod.containers[0]!.env).toEqual([{ name: 'SVCCA_KERNEL_THREADS', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1' } } }]);
    }
  });

  it('pod index i runs shard i+1 of N with the request flags; the merge reads all N parts', () => {
    const m = manifests();
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const record = join(dir, 'calls.jsonl');
    writeFileSync(join(bin, 'svcca-studio'), `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)) + '\\n');\nif (process.argv[2] === 'merge') console.log('{"matrix":[]}');\n`);
    chmodSync(join(bin, 'svcca-studio'), 0o755);
    // The scripts write under /parts: run them with that mount point moved into the test folder.
    const parts = join(dir, 'parts');
    const local = (script: string): string => script.split(`${PARTS_MOUNT}/`).join(`${parts}/`);
    const env = { ...process.env, PATH: `${bin}:${process.env['PATH']}` };
    for (const index of [0, 4]) {
      const [shell, flag, script] = m.shards.spec.template.spec.containers[0]!.command;
      const r = spawnSync(shell!, [flag!, local(script!)], { env: { ...env, JOB_COMPLETION_INDEX: String(index) }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const [shell, flag, script] = m.merge.spec.template.spec.containers[0]!.command;
    const r = spawnSync(shell!, [flag!, local(script!)], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('{"matrix":[]}');
    const calls = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    const folder = join(parts, m.name);
    const request = ['--layer', 'conv2', '--method', 'svcca', '--runs', 'seed 1|2', '--dims', '20', '--workers', '0'];
    expect(calls[0]).toEqual(['matrix', '/workspace', ...request, '--shard', '1/5', '--out', `${folder}/part-1.json`, '--db', '/scratch/index.sqlite']);
    expect(calls[1]).toEqual(['matrix', '/workspace', ...request, '--shard', '5/5', '--out', `${folder}/part-5.json`, '--db', '/scratch/index.sqlite']);
    expect(calls[2]).toEqual(['merge', ...[1, 2, 3, 4, 5].map((k) => `${folder}/part-${k}.json`), '--json']);
    expect(readFileSync(`${folder}/matrix.json`, 'utf8').trim()).toBe('{"matrix":[]}');
  });

  it('names stay valid Kubernetes names, and bad claims or images are refused', () => {
    const { name } = manifests({ layer: 'Encoder.Layer_11.attention/output', method: 'pwcca' });
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name.length).toBeLessThanOrEqual(40);
    expect(() => kubernetesManifests(job(), { ...K8S_DEFAULTS, workspaceClaim: 'My_Claim' })).toThrow(/--workspace-claim: 'My_Claim' is not a Kubernetes name/);
    expect(() => kubernetesManifests(job(), { ...K8S_DEFAULTS, image: 'a b' })).toThrow(/--image/);
    expect(() => kubernetesManifests(job(), { ...K8S_DEFAULTS, cpus: 0 })).toThrow(/--cpus/);
  });
});
