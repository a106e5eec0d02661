import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../../native/api/client.js';
import type { MessageTransport } from '../../../native/api/client.js';
import type { WireMessage } from '../../../native/api/contract.js';
import { createDispatcher, validateRequest } from '../../../native/api/dispatch.js';
import type { OutgoingMessage } from '../../../native/api/dispatch.js';
import { recordingApi } from './fakeApi.js';

function collect(): { sink: (m: OutgoingMessage) => void; out: OutgoingMessage[] } {
  const out: OutgoingMessage[] = [];
  return { sink: (m) => out.push(m), out };
}

describe('validateRequest', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['text', /message must be an object/],
    [{ type: 'result', id: 1 }, /type must be 'call'/],
    [{ type: 'call', id: 1.5, method: 'runs', args: [] }, /id must be an integer/],
    [{ type: 'call', id: 1, method: 'constructor', args: [] }, /unknown method 'constructor'/],
    [{ type: 'call', id: 1, method: 'onProgress', args: [] }, /unknown method 'onProgress'/],
    [{ type: 'call', id: 1, method: 'runs', args: [1] }, /runs takes at most 0 argument/],
    [{ type: 'call', id: 1, method: 'compare', args: [] }, /compare needs 1 argument/],
    [{ type: 'call', id: 1, method: 'compare', args: [{ a: 'x', b: 'y', method: 'svd' }] }, /method must be one of cca\|svcca/],
    [{ type: 'call', id: 1, method: 'compare', args: [{ a: 'x', method: 'cca' }] }, /\.b is required/],
    [{ type: 'call', id: 1, method: 'compare', args: [{ a: 'x', b: 'y', method: 'cca', keep: '0.9' }] }, /keep must be a finite number, got string/],
    [{ type: 'call', id: 1, method: 'compare', args: [{ a: 'x', b: 'y', method: 'cca', __proto__x: 1 }] }, /unknown field '__proto__x'/],
    [{ type: 'call', id: 1, method: 'matrix', args: [{ layer: 'fc', method: 'cka', step: -1 }] }, /step must be a step number/],
    [{ type: 'call', id: 1, method: 'matrix', args: [{ layer: 'fc', method: 'cka', runs: ['a', 2] }] }, /runs\[1\] must be a string/],
    [{ type: 'call', id: 1, method: 'cancel', args: [{}] }, /cancel argument 1 must be a string/],
    [{ type: 'call', id: 1, method: 'reindex', args: [{ jobId: 3 }] }, /jobId must be a string/],
  ];
  it.each(bad)('refuses %j with one line', (raw, message) => {
    let error: Error | undefined;
    try {
      validateRequest(raw);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.name).toBe('RequestError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('accepts well-formed calls, optional arguments left out', () => {
    expect(validateRequest({ type: 'call', id: 7, method: 'compare', args: [{ a: 'x.npy', b: 'y.npz:fc', method: 'svcca', keep: 0.99 }, { jobId: 'j' }] }).method).toBe('compare');
    expect(validateRequest({ type: 'call', id: 8, method: 'reindex', args: [] }).args).toEqual([]);
    expect(validateRequest({ type: 'call', id: 9, method: 'dynamics', args: [{ run: 'r', reference: 'final' }] }).id).toBe(9);
  });
});

describe('dispatcher + client over an in-memory transport', () => {
  /** Client and dispatcher joined back to back, each message JSON round-tripped as on a real wire. */
  function connect() {
    const api = recordingApi();
    const clientListeners = new Set<(m: unknown) => void>();
    const dispatcher = createDispatcher(api, (m) => {
      const copy = JSON.parse(JSON.stringify(m)) as WireMessage;
      queueMicrotask(() => clientListeners.forEach((l) => l(copy)));
    });
    const transport: MessageTransport = {
      send: (m) => void dispatcher.handle(JSON.parse(JSON.stringify(m))),
      onMessage: (l) => {
        clientListeners.add(l);
        return () => clientListeners.delete(l);
      },
    };
    return { api, dispatcher, client: createApiClient(transport) };
  }

  it('round-trips results and keeps the server-side error name and one-line message', async () => {
    const { api, client } = connect();
    expect((await client.workspace()).runs).toBe(2);
    const result = await client.compare({ a: 'a.npy', b: 'b.npy', method: 'cca' }, { jobId: 'j1' });
    expect(result.coefficients).toEqual([0.75, 0.25]);
    expect(api.calls.find((c) => c.method === 'compare')?.args).toEqual([{ a: 'a.npy', b: 'b.npy', method: 'cca' }, { jobId: 'j1' }]);
    await expect(client.openWorkspace('/nope')).rejects.toMatchObject({ name: 'InputError', message: '/nope: no such folder' });
  });

  it('forwards progress events and lets a call be cancelled by its job id', async () => {
    const { api, client } = connect();
    const seen: number[] = [];
    const off = client.onProgress((e) => seen.push(e.done));
    const job = client.reindex({ jobId: 'index-1' });
    api.emitProgress({ jobId: 'index-1', label: 'indexing', done: 3, total: 10, rate: 1 });
    await client.cancel('index-1');
    await expect(job).rejects.toMatchObject({ name: 'CancelledError' });
    expect(seen).toEqual([3]);
    off();
    api.emitProgress({ jobId: 'index-1', label: 'indexing', done: 4, total: 10, rate: 1 });
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([3]);
  });

  it('answers a malformed request with an error carrying its id, and nothing reaches the API', async () => {
    const api = recordingApi();
    const { sink, out } = collect();
    const dispatcher = createDispatcher(api, sink);
    await dispatcher.handle({ type: 'call', id: 4, method: 'compare', args: [{ a: 1 }] });
    expect(out).toEqual([{ type: 'error', id: 4, error: { name: 'RequestError', message: 'compare argument 1.a must be a string, got number' } }]);
    expect(api.calls).toEqual([]);
    dispatcher.dispose();
    api.emitIndexChanged({ root: '/ws', report: { runs: 1, checkpoints: 1, arrays: 1, errors: [] } });
    expect(out).toHaveLength(1);
  });

  it('rejects pending calls when the transport closes', async () => {
    let close: (reason: string) => void = () => {};
    const client = createApiClient({ send: () => {}, onMessage: () => () => {}, onClose: (l) => ((close = l), () => {}) });
    const pending = client.runs();
    close('socket closed');
    await expect(pending).rejects.toMatchObject({ name: 'ConnectionError', message: 'socket closed' });
    await expect(client.runs()).rejects.toMatchObject({ name: 'ConnectionError' });
  });
});
