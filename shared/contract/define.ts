// Building blocks of the UI/back-end contract. A command is a pair of zod schemas (request and
// response); an event stream is one zod schema for its payload. Both transports (Electron IPC
// and `edgebench serve` over WebSocket) carry exactly these.
import { z } from 'zod';

export interface CommandDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  /** Long work: the back end passes an AbortSignal and progress sink, the UI may cancel. */
  long?: boolean;
  summary: string;
}

export function command<Req extends z.ZodType, Res extends z.ZodType>(
  summary: string,
  request: Req,
  response: Res,
  opts: { long?: boolean } = {},
): CommandDef<Req, Res> {
  return { summary, request, response, long: opts.long };
}

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });
export const Id = z.string().min(1).max(200);
