// Staging commands and events. Owned by the staging capability.
import { z } from 'zod';
import { command } from './define';

export const stagingCommands = {} satisfies Record<string, ReturnType<typeof command>>;

export const stagingEvents = {} satisfies Record<string, z.ZodType>;
