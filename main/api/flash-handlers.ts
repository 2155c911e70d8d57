// Handlers for the flash part of the contract (shared/contract/flash.ts).
import type { flashCommands } from '../../shared/contract/flash';
import type { HandlerMap } from './types';

export const flashHandlers: HandlerMap<keyof typeof flashCommands> = {};
