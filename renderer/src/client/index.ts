// Picks the transport: the Electron preload bridge when present, else the serve WebSocket.
import type { EdgebenchClient } from '../../../shared/contract';
import { createIpcClient, type PreloadBridge } from './ipc-client';
import { createWsClient } from './ws-client';

declare global {
  interface Window {
    edgebench?: PreloadBridge;
  }
}

let client: EdgebenchClient | undefined;

export function getClient(): EdgebenchClient {
  if (client) return client;
  if (window.edgebench) {
    client = createIpcClient(window.edgebench);
  } else {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = new URLSearchParams(location.search).get('token');
    if (token) sessionStorage.setItem('edgebench-token', token);
    const t = token ?? sessionStorage.getItem('edgebench-token') ?? '';
    client = createWsClient(`${proto}//${location.host}/ws${t ? `?token=${encodeURIComponent(t)}` : ''}`);
  }
  return client;
}

/** For tests and storybook-like use. */
export function setClient(c: EdgebenchClient): void {
  client = c;
}
