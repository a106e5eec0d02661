/**
 * Every declared field of every API method crosses the real `svcca-studio serve` WebSocket and works. The samples
 * below must cover each field the request schemas (native/api/contract.ts's API) declare: a field added to a schema
 * without a sample here fails the coverage check, and a field the server refuses (a RequestError, as when dispatch
 * accepted only some fields) or mishandles fails the call. Samples are grouped so that each call is a valid request
 * (keep and dims, or pwcca-compat and keep, do not go together).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, API_METHODS, type ApiMethod } from '../../native/api/contract.js';
import { callApi, ensureCliBuild, exampleWorkspace, startServe, type Served } from './harness.js';

const WORKSPACE = exampleWorkspace();
const RUN = 'true_lr0.01_seed2000';
const OTHER = 'true_lr0.01_seed2001';
const RUNS = [RUN, OTHER, 'random_lr0.01_seed2008'];

interface Refs {
  fcA: string;
  fcB: string;
  convA: string;
  convB: string;
}

/** Each method's calls; every call is positional arguments as the wire carries them. */
const SAMPLES: Record<ApiMethod, (refs: Refs) => unknown[][]> = {
  workspace: () => [[]],
  openWorkspace: () => [[WORKSPACE]],
  reindex: () => [[{ jobId: 'fields-reindex' }]],
  runs: () => [[]],
  resolveLayer: () => [[{ run: RUN, layer: 'fc', step: 'last' }]],
  compare: (r) => [
    [
      { a: r.fcA, b: r.fcB, method: 'svcca', keep: 0.99, epsilon: 1e-10, conv: 'channels', layout: 'nhwc', neuronsFirst: false, backend: 'cpu', noiseFloor: 2, bootstrap: 2, level: 0.9, seed: 3 },
      { jobId: 'fields-compare' },
    ],
    [{ a: r.fcA, b: r.fcB, method: 'pwcca', pwccaCompat: 'reference' }],
    [{ a: r.fcA, b: r.fcB, method: 'cca', dims: 5 }],
    [{ a: r.convA, b: r.convB, method: 'dft-cca', conv: 'dft' }],
  ],
  matrix: () => [
    [
      { layer: 'fc', method: 'svcca', keep: 0.99, epsilon: 1e-10, conv: 'channels', layout: 'nhwc', neuronsFirst: false, backend: 'cpu', step: 'last', runs: RUNS, groupBy: 'labels' },
      { jobId: 'fields-matrix' },
    ],
    [{ layer: 'fc', method: 'pwcca', pwccaCompat: 'reference', runs: RUNS }],
    [{ layer: 'fc', method: 'cca', dims: 5, runs: RUNS, clusters: 2 }],
    [{ layer: 'fc', method: 'cka', conv: 'mean', runs: RUNS, cut: 0.3 }],
  ],
  dynamics: () => [
    [
      { run: RUN, method: 'svcca', reference: 'last', threshold: 0.9, conv: 'channels', keep: 0.99, epsilon: 1e-10, layout: 'nhwc', neuronsFirst: false, classSensitivity: true },
      { jobId: 'fields-dynamics' },
    ],
    [{ run: RUN, method: 'cca', dims: 4, conv: 'flatten' }],
    [{ run: RUN, method: 'cka', against: OTHER, conv: 'mean' }],
  ],
  compress: () => [
    [{ run: RUN, layer: 'fc', step: 'last', nextWeights: 'logits', against: OTHER, draws: 2, seed: 3, layout: 'nhwc' }, { jobId: 'fields-compress' }],
  ],
  stability: () => [
    [{ run: RUN, layer: 'fc', early: 5, mid: 315, top: 4, conv: 'channels', epsilon: 1e-10, layout: 'nhwc', neuronsFirst: false }, { jobId: 'fields-stability' }],
  ],
  correlate: () => [
    [{ layer: 'fc', metric: 'probe_acc', step: 'last', runs: RUNS, method: 'svcca', keep: 0.99, conv: 'channels', epsilon: 1e-10, layout: 'nhwc', neuronsFirst: false }, { jobId: 'fields-correlate' }],
    [{ layer: 'fc', metric: 'lr', runs: RUNS, method: 'cca', dims: 4 }],
  ],
  groups: () => [
    [{ by: 'labels', step: 'last', runs: RUNS, layers: ['fc', 'logits'], method: 'svcca', keep: 0.99, conv: 'mean', epsilon: 1e-10, layout: 'nhwc', neuronsFirst: false }, { jobId: 'fields-groups' }],
    [{ by: 'labels', runs: RUNS, layers: ['fc'], method: 'cca', dims: 4 }],
  ],
  grid: () => [
    [{ runs: [RUN, OTHER], step: 'last', method: 'svcca', keep: 0.99, conv: 'channels', epsilon: 1e-10, layout: 'nhwc', neuronsFirst: false }, { jobId: 'fields-grid' }],
    [{ runs: [RUN, OTHER], method: 'cca', dims: 4, conv: 'flatten' }],
  ],
  // The example has no sequence layer; a conv layer's positions stand in for timesteps.
  timesteps: () => [[{ run: RUN, layer: 'conv2', step: 'last', timesteps: [0, 5, 15], method: 'svcca', keep: 0.99, epsilon: 1e-10, layout: 'nhwc' }, { jobId: 'fields-timesteps' }], [{ run: RUN, layer: 'conv2', timesteps: [0, 1], method: 'cca', dims: 4, layout: 'nhwc' }]],
  cancel: () => [['fields-nothing-running']],
};

/** The field names an argument schema declares, or null when the argument is not an object. */
function declaredFields(schema: unknown): string[] | null {
  const s = schema as { type?: string; entries?: Record<string, unknown>; wrapped?: unknown };
  if (s.type === 'optional' || s.type === 'nullable' || s.type === 'nullish') return declaredFields(s.wrapped);
  if (s.type === 'object' || s.type === 'strict_object' || s.type === 'loose_object') return Object.keys(s.entries ?? {});
  return null;
}

let served: Served;
let refs: Refs;

beforeAll(async () => {
  ensureCliBuild();
  served = await startServe(WORKSPACE);
  const resolve = async (run: string, layer: string): Promise<string> => {
    const reply = await callApi(served.url, 'resolveLayer', [{ run, layer }]);
    if (reply.error) throw new Error(`${reply.error.name}: ${reply.error.message}`);
    return reply.value as string;
  };
  refs = { fcA: await resolve(RUN, 'fc'), fcB: await resolve(OTHER, 'fc'), convA: await resolve(RUN, 'conv2'), convB: await resolve(OTHER, 'conv2') };
}, 120_000);
afterAll(async () => {
  await served?.stop();
});

describe('every declared field over the serve WebSocket', () => {
  it('the samples cover every method and every field its schemas declare, and nothing else', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...API_METHODS].sort());
    const placeholder: Refs = { fcA: 'a', fcB: 'b', convA: 'c', convB: 'd' };
    for (const method of API_METHODS) {
      const calls = SAMPLES[method](placeholder);
      API[method].args.forEach((schema, position) => {
        const declared = declaredFields(schema);
        if (declared === null) return;
        const sent = new Set(calls.flatMap((args) => Object.keys((args[position] ?? {}) as object)));
        expect([...sent].sort(), `${method} argument ${position + 1}`).toEqual([...declared].sort());
      });
    }
  });

  it.each(API_METHODS)('%s: each sample call is accepted and answered', async (method) => {
    for (const args of SAMPLES[method](refs)) {
      const reply = await callApi(served.url, method, args);
      expect(reply.error, `${method}(${JSON.stringify(args)})`).toBeUndefined();
    }
  }, 300_000);
});
