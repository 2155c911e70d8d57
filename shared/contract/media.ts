// Media commands and events. Owned by the media capability.
import { z } from 'zod';
import { command } from './define';

export const mediaCommands = {} satisfies Record<string, ReturnType<typeof command>>;

export const mediaEvents = {} satisfies Record<string, z.ZodType>;
