// The one contract between the UI and the back end. The Electron preload exposes exactly this,
// and `edgebench serve` carries exactly this over WebSocket. Domain files declare their part;
// this file only merges them.
import type { z } from 'zod';
import { systemCommands, systemEvents } from './system';
import { hostCommands, hostEvents } from './hosts';
import { userdataCommands, userdataEvents } from './userdata';
import { mediaCommands, mediaEvents } from './media';
import { flashCommands, flashEvents } from './flash';
import { pxeCommands, pxeEvents } from './pxe';
import { registerCommands, registerEvents } from './register';
import { stagingCommands, stagingEvents } from './staging';

export const commands = {
  ...systemCommands,
  ...hostCommands,
  ...userdataCommands,
  ...mediaCommands,
  ...flashCommands,
  ...pxeCommands,
  ...registerCommands,
  ...stagingCommands,
};

export const events = {
  ...systemEvents,
  ...hostEvents,
  ...userdataEvents,
  ...mediaEvents,
  ...flashEvents,
  ...pxeEvents,
  ...registerEvents,
  ...stagingEvents,
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type RequestOf<N extends CommandName> = z.input<Commands[N]['request']>;
export type ParsedRequestOf<N extends CommandName> = z.output<Commands[N]['request']>;
export type ResponseOf<N extends CommandName> = z.output<Commands[N]['response']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventOf<E extends EventName> = z.output<Events[E]>;

export function isCommandName(s: unknown): s is CommandName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(commands, s);
}
export function isEventName(s: unknown): s is EventName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(events, s);
}

/** Options for one invocation of a long command. */
export interface InvokeOptions {
  signal?: AbortSignal;
  onProgress?: (p: EventOf<'progress'>) => void;
}

/** What the renderer talks to, whatever the transport. */
export interface EdgebenchClient {
  readonly transport: 'ipc' | 'http';
  invoke<N extends CommandName>(name: N, request: RequestOf<N>, opts?: InvokeOptions): Promise<ResponseOf<N>>;
  subscribe<E extends EventName>(name: E, handler: (payload: EventOf<E>) => void): () => void;
}

/** The wire messages of the WebSocket transport and the IPC bridge. */
export type WireRequest =
  { t: 'invoke'; id: string; name: string; request: unknown } | { t: 'cancel'; id: string };
export type WireResponse =
  | { t: 'result'; id: string; ok: true; value: unknown }
  | { t: 'result'; id: string; ok: false; error: { code: string; message: string; details?: unknown } }
  | { t: 'event'; name: string; payload: unknown }
  | { t: 'hello'; version: string };

/** Largest message either side accepts (bytes). Bigger inputs go through file paths. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
