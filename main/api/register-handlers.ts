// Handlers for the register part of the contract (shared/contract/register.ts).
import type { registerCommands } from '../../shared/contract/register';
import type { HandlerMap } from './types';

export const registerHandlers: HandlerMap<keyof typeof registerCommands> = {};
