// Handlers for the staging part of the contract (shared/contract/staging.ts).
import type { stagingCommands } from '../../shared/contract/staging';
import type { HandlerMap } from './types';

export const stagingHandlers: HandlerMap<keyof typeof stagingCommands> = {};
