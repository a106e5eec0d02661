/**
 * The ONE place that finds the services. Inside Electron the preload exposes the typed API as `window.studio`;
 * in a browser (under `svcca-studio serve`) the API is a WebSocket to the serving host, authenticated by the token
 * from the page URL. Views import `api` from here and nothing else.
 */
import { createApiClient, reviveBridgedErrors } from '../../native/api/client.js';
import type { MessageTransport } from '../../native/api/client.js';
import type { StudioApi } from '../../native/api/contract.js';

declare global {
  interface Window {
    studio?: StudioApi;
  }
}

function webSocketTransport(url: string): MessageTransport {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const messageListeners = new Set<(message: unknown) => void>();
  const closeListeners = new Set<(reason: string) => void>();
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event) => {
    let message: unknown;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    for (const listener of messageListeners) listener(message);
  });
  socket.addEventListener('close', (event) => {
    const reason = `connection to the studio server closed (${event.code}${event.reason ? `: ${event.reason}` : ''}); reload the page`;
    for (const listener of closeListeners) listener(reason);
  });
  return {
    send(message) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
      else throw new Error('connection to the studio server is closed; reload the page');
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  };
}

function findApi(): StudioApi {
  // Through Electron's contextBridge an error keeps only its message; revive its kind (CancelledError, …).
  if (window.studio) return reviveBridgedErrors(window.studio);
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createApiClient(webSocketTransport(`${scheme}//${window.location.host}/api?token=${encodeURIComponent(token)}`));
}

export const api: StudioApi = findApi();

/** Caller-chosen job ids let a view show progress for, and cancel, exactly its own call. */
let jobCounter = 0;
export function newJobId(prefix: string): string {
  jobCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${jobCounter}`;
}
