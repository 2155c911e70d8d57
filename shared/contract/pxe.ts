// Pxe commands and events. Owned by the pxe capability.
import { z } from 'zod';
import { command } from './define';

export const pxeCommands = {} satisfies Record<string, ReturnType<typeof command>>;

export const pxeEvents = {} satisfies Record<string, z.ZodType>;
