// Handlers for the pxe part of the contract (shared/contract/pxe.ts).
import type { pxeCommands } from '../../shared/contract/pxe';
import type { HandlerMap } from './types';

export const pxeHandlers: HandlerMap<keyof typeof pxeCommands> = {};
