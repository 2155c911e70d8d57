// Register commands and events. Owned by the register capability.
import { z } from 'zod';
import { command } from './define';

export const registerCommands = {} satisfies Record<string, ReturnType<typeof command>>;

export const registerEvents = {} satisfies Record<string, z.ZodType>;
