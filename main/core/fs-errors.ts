// Map Node's system errors to contract error codes with a sentence naming the path.
import { AppError, isAppError } from '../../shared/errors';

export function fsError(e: unknown, pathHint?: string): AppError {
  if (isAppError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const p = err?.path ?? pathHint ?? '';
  switch (err?.code) {
    case 'ENOENT':
      return new AppError('ENOTFOUND', `${p}: no such file or folder`, { path: p }, { cause: e });
    case 'EACCES':
      return new AppError('EACCES', `${p}: permission denied`, { path: p }, { cause: e });
    case 'EPERM':
      return new AppError('EPERM', `${p}: operation not permitted`, { path: p }, { cause: e });
    case 'ENOSPC':
      return new AppError('ENOSPC', `${p}: no space left on the device`, { path: p }, { cause: e });
    case 'EDQUOT':
      return new AppError('ENOSPC', `${p}: disk quota exceeded`, { path: p }, { cause: e });
    case 'EROFS':
      return new AppError('EROFS', `${p}: read-only file system`, { path: p }, { cause: e });
    case 'EIO':
      return new AppError('EIO', `${p}: input/output error`, { path: p }, { cause: e });
    case 'EISDIR':
      return new AppError('EINVALID', `${p} is a folder`, { path: p }, { cause: e });
    case 'EEXIST':
      return new AppError('EEXIST', `${p} already exists`, { path: p }, { cause: e });
    case 'EBUSY':
      return new AppError('EBUSY', `${p}: resource busy`, { path: p }, { cause: e });
    case 'ABORT_ERR':
      return new AppError('ECANCELLED', 'Cancelled', undefined, { cause: e });
    default:
      if (err?.name === 'AbortError') return new AppError('ECANCELLED', 'Cancelled', undefined, { cause: e });
      return new AppError(
        'EINTERNAL',
        `${p ? p + ': ' : ''}${err?.message ?? String(e)}`,
        { path: p },
        { cause: e },
      );
  }
}
