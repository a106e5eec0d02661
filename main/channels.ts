/**
 * IPC channel names between the preload and main, derived from the one list of API methods and events so that
 * neither side can drift from the contract. Channels are `studio:<method>` (invoke) and `studio:event:<event>`
 * (main → renderer). Pure: imported by both the preload bundle and main.
 */
import { API_EVENTS, API_METHODS } from '../native/api/contract.js';
import type { ApiEventName, ApiMethod, StudioApi } from '../native/api/contract.js';

export const CHANNEL_PREFIX = 'studio:';

export type MethodChannel = `studio:${ApiMethod}`;
export type EventChannel = `studio:event:${ApiEventName}`;

export function methodChannel(method: ApiMethod): MethodChannel {
  return `${CHANNEL_PREFIX}${method}` as MethodChannel;
}

export function eventChannel(event: ApiEventName): EventChannel {
  return `${CHANNEL_PREFIX}event:${event}` as EventChannel;
}

/** Every invoke channel main answers, in API_METHODS order. */
export const METHOD_CHANNELS: readonly MethodChannel[] = API_METHODS.map(methodChannel);

/** Every channel main sends events on, in API_EVENTS order. */
export const EVENT_CHANNELS: readonly EventChannel[] = API_EVENTS.map(eventChannel);

/** The API method behind an invoke channel, or null for any other string (unknown channels are refused). */
export function methodOfChannel(channel: string): ApiMethod | null {
  if (!channel.startsWith(CHANNEL_PREFIX)) return null;
  const name = channel.slice(CHANNEL_PREFIX.length);
  return (API_METHODS as readonly string[]).includes(name) ? (name as ApiMethod) : null;
}

/** The StudioApi subscription method for an event: 'progress' → 'onProgress', 'indexChanged' → 'onIndexChanged'. */
export type EventSubscriber = { [K in keyof StudioApi]: K extends `on${string}` ? K : never }[keyof StudioApi];

export function subscriberOf(event: ApiEventName): EventSubscriber {
  return `on${event[0]!.toUpperCase()}${event.slice(1)}` as EventSubscriber;
}

/** What an invoke channel answers: Electron keeps only an Error's message across IPC, so errors travel as data. */
export type IpcReply = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string } };

/**
 * The one message the preload sends on its own: absolute paths dropped on the window. Outside the `studio:`
 * namespace on purpose — it is not part of the API and the page cannot send it (the page has no ipcRenderer).
 */
export const DROP_CHANNEL = 'shell:drop';

/**
 * The remote-workspace control (native/api/client.ts RemoteControl) between the preload and main: one invoke
 * channel per operation and one event channel for state changes. Outside `studio:` — not part of the services.
 */
export const REMOTE_OPERATIONS = ['state', 'connect', 'reconnect', 'disconnect', 'saved', 'forget'] as const;
export type RemoteOperation = (typeof REMOTE_OPERATIONS)[number];
export const REMOTE_PREFIX = 'remote:';
export const REMOTE_STATE_CHANNEL = 'remote:event:state';

export function remoteChannel(operation: RemoteOperation): string {
  return `${REMOTE_PREFIX}${operation}`;
}

export function remoteOperationOf(channel: string): RemoteOperation | null {
  if (!channel.startsWith(REMOTE_PREFIX)) return null;
  const name = channel.slice(REMOTE_PREFIX.length);
  return (REMOTE_OPERATIONS as readonly string[]).includes(name) ? (name as RemoteOperation) : null;
}
