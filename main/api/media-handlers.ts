// Handlers for the media part of the contract (shared/contract/media.ts).
import type { mediaCommands } from '../../shared/contract/media';
import type { HandlerMap } from './types';

export const mediaHandlers: HandlerMap<keyof typeof mediaCommands> = {};
