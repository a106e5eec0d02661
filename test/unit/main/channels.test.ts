import { describe, expect, it } from 'vitest';
import { API_EVENTS, API_METHODS } from '../../../native/api/contract.js';
import { EVENT_CHANNELS, METHOD_CHANNELS, eventChannel, methodChannel, methodOfChannel, subscriberOf } from '../../../main/channels.js';

describe('IPC channel names', () => {
  it('has one invoke channel per API method and maps each back to its method', () => {
    expect(METHOD_CHANNELS).toHaveLength(API_METHODS.length);
    for (const method of API_METHODS) {
      expect(methodChannel(method)).toBe(`studio:${method}`);
      expect(methodOfChannel(methodChannel(method))).toBe(method);
    }
  });

  it('has one event channel per API event, distinct from every method channel', () => {
    expect(EVENT_CHANNELS).toEqual(API_EVENTS.map((e) => `studio:event:${e}`));
    for (const channel of EVENT_CHANNELS) expect(methodOfChannel(channel)).toBeNull();
  });

  it('refuses channels that are not API methods, including inherited property names', () => {
    for (const channel of ['studio:', 'studio:constructor', 'studio:__proto__', 'studio:toString', 'studio:onProgress', 'compare', 'other:compare', 'studio:compare ', 'STUDIO:compare', 'shell:drop']) {
      expect(methodOfChannel(channel), channel).toBeNull();
    }
  });

  it('names the subscription method of every event as the StudioApi does', () => {
    expect(subscriberOf('progress')).toBe('onProgress');
    expect(subscriberOf('indexChanged')).toBe('onIndexChanged');
    expect(eventChannel('indexChanged')).toBe('studio:event:indexChanged');
  });
});
