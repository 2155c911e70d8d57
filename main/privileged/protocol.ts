// The privileged helper's protocol: newline-delimited JSON over the helper's stdin/stdout.
// Narrow on purpose: three operations, strict schemas (unknown fields are refused), and a
// per-start token on every request (the helper knows only its SHA-256, from its command line).
import crypto from 'node:crypto';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** Longest request line the helper reads. */
export const MAX_LINE = 64 * 1024;

const Token = z.string().regex(/^[0-9a-f]{64}$/);
const ReqId = z.string().min(1).max(64);
const AbsPath = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path');

export const FlashOptions = z
  .object({
    verify: z.boolean(),
    allowSystemDrive: AbsPath.optional(),
    ackLarge: z.array(AbsPath).max(32).optional(),
  })
  .strict();

export const HelperRequest = z.discriminatedUnion('op', [
  z
    .object({
      v: z.literal(PROTOCOL_VERSION),
      id: ReqId,
      token: Token,
      op: z.literal('listDrives'),
      args: z.object({ all: z.boolean().optional() }).strict().optional(),
    })
    .strict(),
  z
    .object({
      v: z.literal(PROTOCOL_VERSION),
      id: ReqId,
      token: Token,
      op: z.literal('flash'),
      args: z
        .object({
          /** One image for all targets, or one per target (same order). */
          images: z.array(AbsPath).min(1).max(32),
          targets: z.array(AbsPath).min(1).max(32),
          options: FlashOptions,
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      v: z.literal(PROTOCOL_VERSION),
      id: ReqId,
      token: Token,
      op: z.literal('cancel'),
      args: z.object({ id: ReqId }).strict(),
    })
    .strict(),
]);
export type HelperRequest = z.infer<typeof HelperRequest>;

export type HelperMessage =
  | { t: 'ready'; v: number; pid: number; uid: number }
  | { t: 'progress'; id: string; event: Record<string, unknown> }
  | { t: 'result'; id: string; ok: true; value: unknown }
  | { t: 'result'; id: string; ok: false; error: { code: string; message: string; details?: unknown } };

export function newToken(): string {
  return crypto.randomBytes(32).toString('hex');
}

export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Constant-time check of a presented token against the expected hash. */
export function tokenMatches(presented: unknown, expectedHash: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(tokenHash(presented), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
