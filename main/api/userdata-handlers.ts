// Handlers for the userdata part of the contract (shared/contract/userdata.ts).
import type { userdataCommands } from '../../shared/contract/userdata';
import type { HandlerMap } from './types';

export const userdataHandlers: HandlerMap<keyof typeof userdataCommands> = {};
