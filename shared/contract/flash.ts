// Flash commands and events. Owned by the flash capability.
import { z } from 'zod';
import { command } from './define';

export const flashCommands = {} satisfies Record<string, ReturnType<typeof command>>;

export const flashEvents = {} satisfies Record<string, z.ZodType>;
