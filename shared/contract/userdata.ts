// Userdata commands and events. Owned by the userdata capability.
import { z } from 'zod';
import { command } from './define';

export const userdataCommands = {} satisfies Record<string, ReturnType<typeof command>>;

export const userdataEvents = {} satisfies Record<string, z.ZodType>;
