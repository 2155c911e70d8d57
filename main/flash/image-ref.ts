// An image named by path or by an artifact ID from the store (the Media screen links that way).
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';

export async function resolveImageRef(
  app: AppContext,
  ref: string,
): Promise<{ path: string; artifactId?: string; hostId?: string }> {
  if (path.isAbsolute(ref) || fs.existsSync(ref)) return { path: path.resolve(ref) };
  const a = await app.store.artifacts.get(ref);
  if (a) return { path: a.path, artifactId: a.id, hostId: a.hostId };
  throw new AppError('ENOTFOUND', `no image file or built artifact named ${ref}`, { image: ref });
}

const FLASHABLE = /\.(iso|img|raw|bin|xz|gz|zip|bz2)$/i;

export function isFlashable(kind: string, p: string): boolean {
  return ['iso', 'site-iso', 'raw', 'img', 'usb'].includes(kind) || FLASHABLE.test(p);
}
