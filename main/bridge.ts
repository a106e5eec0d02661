/**
 * The object the preload exposes as `window.studio`: exactly the StudioApi of native/api/contract.ts — one method
 * per API_METHODS entry, one `on<Event>` per API_EVENTS entry — and nothing else (no ipcRenderer, no channel
 * names, no Node). Built from two functions so that it is testable without Electron.
 *
 * Errors: contextBridge rebuilds a thrown Error in the page from its message alone, so the error's class name is
 * carried in the message: `CancelledError: compare cancelled`; the renderer revives it with native/api/client.ts's
 * reviveBridgedErrors, so a cancel stays a cancel on the page.
 */
import { API_EVENTS, API_METHODS } from '../native/api/contract.js';
import { bridgedErrorMessage } from '../native/api/client.js';
import type { ApiEventName, StudioApi } from '../native/api/contract.js';
import type { RemoteControl } from '../native/api/client.js';
import { eventChannel, methodChannel, REMOTE_OPERATIONS, REMOTE_STATE_CHANNEL, remoteChannel, subscriberOf, type IpcReply } from './channels.js';

export type Invoke = (channel: string, args: unknown[]) => Promise<IpcReply>;
/** Listens on an event channel; returns the function that stops listening. */
export type Subscribe = (channel: string, listener: (payload: unknown) => void) => () => void;

/** The page-side error for a failed call (see the file comment for why the name is in the message). */
export function bridgeError(error: { name: string; message: string }): Error {
  return new Error(bridgedErrorMessage(error));
}

export function buildStudioBridge(invoke: Invoke, subscribe: Subscribe): StudioApi {
  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    const channel = methodChannel(method);
    api[method] = async (...args: unknown[]): Promise<unknown> => {
      // Trailing undefined arguments are dropped, as the other transports do.
      while (args.length > 0 && args[args.length - 1] === undefined) args = args.slice(0, -1);
      const reply = await invoke(channel, args);
      if (reply.ok) return reply.value;
      throw bridgeError(reply.error);
    };
  }
  for (const event of API_EVENTS) {
    const channel = eventChannel(event as ApiEventName);
    api[subscriberOf(event)] = (listener: (payload: unknown) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${subscriberOf(event)} needs a function`);
      return subscribe(channel, listener);
    };
  }
  return Object.freeze(api) as unknown as StudioApi;
}

/** The object the preload exposes as `window.studioRemote`: attach to, watch and leave a remote serve (main holds the link). */
export function buildRemoteBridge(invoke: Invoke, subscribe: Subscribe): RemoteControl {
  const control: Record<string, unknown> = {};
  for (const operation of REMOTE_OPERATIONS) {
    control[operation] = async (...args: unknown[]): Promise<unknown> => {
      const reply = await invoke(remoteChannel(operation), args);
      if (reply.ok) return reply.value;
      throw bridgeError(reply.error);
    };
  }
  control['onState'] = (listener: (payload: unknown) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onState needs a function');
    return subscribe(REMOTE_STATE_CHANNEL, listener);
  };
  return Object.freeze(control) as unknown as RemoteControl;
}
