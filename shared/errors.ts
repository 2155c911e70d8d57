// Errors that cross a boundary (CLI, IPC, HTTP/WebSocket) are data: a code from this table,
// a message for this occurrence, and optional details. The UI explains codes with `describeError`.
// No Node, DOM or Electron imports here.

export const ERROR_TABLE = {
  // input and usage
  EINVALID: { title: 'Invalid input', hint: 'Fix the listed fields or lines and try again.' },
  EUSAGE: { title: 'Wrong command usage', hint: 'Run the command with --help to see its options.' },
  EENCODING: { title: 'Unreadable text encoding', hint: 'Save the file as UTF-8 text.' },
  ETOOLARGE: { title: 'Input too large', hint: 'Choose a smaller file; this input has a size limit.' },
  ENOTFOUND: { title: 'Not found', hint: 'Check the path, name or ID.' },
  EEXIST: {
    title: 'Output already exists',
    hint: 'Choose another output path, or pass --force to replace it.',
  },
  EACCES: {
    title: 'Permission denied',
    hint: 'Run with the needed rights, or pick a path you can write to.',
  },
  EPERM: {
    title: 'Operation not permitted',
    hint: 'The system refused this operation; elevated rights may be needed.',
  },
  ENOSPC: { title: 'No space left on the target', hint: 'Free space or pick a larger target.' },
  EIO: {
    title: 'Input/output error',
    hint: 'The device or file failed while reading or writing; try another drive or port.',
  },
  EROFS: {
    title: 'Target is read-only',
    hint: 'Unlock the drive (write-protect switch) or pick another one.',
  },
  EBUSY: { title: 'Resource busy', hint: 'Something else is using it; close it and retry.' },
  ETOOLMISSING: {
    title: 'A required system tool is missing',
    hint: 'Install the named package (see the README).',
  },
  // media
  ENOTISO: { title: 'Not an ISO 9660 image', hint: 'Pick a real installer ISO file.' },
  ETRUNCATED: {
    title: 'Image is truncated',
    hint: 'The file is shorter than the image it claims to be; download it again.',
  },
  ENOBOOT: {
    title: 'Image has no boot records',
    hint: 'The result would not boot; use a bootable installer ISO.',
  },
  EBUILD: { title: 'Media build failed', hint: 'The build tool reported a failure; see details.' },
  EVERIFY: {
    title: 'Built media failed its self-check',
    hint: 'The output did not contain what was meant; nothing was kept.',
  },
  ECHECKSUM: {
    title: 'Checksum mismatch',
    hint: 'The downloaded or given file does not match the expected SHA-256.',
  },
  // drives and flashing
  EUNPLUGGED: {
    title: 'Drive unplugged during the write',
    hint: 'Plug the drive back in and flash it again.',
  },
  EVALIDATION: {
    title: 'Verification failed',
    hint: 'The bytes read back differ from the image: the drive may be faulty.',
  },
  ETOOSMALL: { title: 'Target too small', hint: 'Pick a drive at least as large as the image.' },
  ESYSTEMDRIVE: {
    title: 'System drive refused',
    hint: 'This drive holds the running system; it is never a flash target by default.',
  },
  ESOURCEDRIVE: { title: 'Source drive refused', hint: 'This drive holds the image being written.' },
  ELARGEDRIVE: {
    title: 'Unusually large drive',
    hint: 'Drives over 128 GB are rarely USB sticks: confirm explicitly.',
  },
  ENOTCONFIRMED: { title: 'Not confirmed', hint: 'The operation needs an explicit confirmation.' },
  EHELPER: {
    title: 'Privileged helper failed',
    hint: 'The elevated helper could not start or answer; see details.',
  },
  // network, Palette
  EAUTH: { title: 'Authentication failed', hint: 'Check the API key and project; the key may have expired.' },
  ECONFLICT: { title: 'Conflicting record', hint: 'A different record with the same ID already exists.' },
  ERATELIMIT: { title: 'Rate limited', hint: 'The server asked to slow down; the request will be retried.' },
  EUNAVAILABLE: {
    title: 'Service unavailable',
    hint: 'The server or network is unreachable; work is queued and retried.',
  },
  ETIMEDOUT: { title: 'Timed out', hint: 'No answer in time; check the network and retry.' },
  ENETWORK: {
    title: 'Network error',
    hint: 'The connection failed; check the cable, interface and addresses.',
  },
  EPROTOCOL: { title: 'Malformed message', hint: 'A peer sent something that does not follow the protocol.' },
  // runs and jobs
  EPARTIAL: { title: 'Some items failed', hint: 'See the per-item results; the others finished.' },
  ECANCELLED: { title: 'Cancelled', hint: 'The operation was cancelled; nothing half-done was kept.' },
  EINTERNAL: { title: 'Internal error (a bug)', hint: 'Please report it with the details shown.' },
} as const satisfies Record<string, { title: string; hint: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;
export const ERROR_CODES = Object.keys(ERROR_TABLE) as ErrorCode[];

/** The wire form of an error. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** An error that carries a code from ERROR_TABLE. Usable on both sides of the contract. */
export class AppError extends Error implements ErrorData {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code === 'ECANCELLED' ? 'CancelledError' : 'AppError';
    this.code = code;
    this.details = details;
  }
  toData(): ErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
  static fromData(d: ErrorData): AppError {
    return new AppError(d.code, d.message, d.details);
  }
}

/** Cancellation is its own kind: callers check `isCancelled` rather than a message. */
export class CancelledError extends AppError {
  constructor(message = 'Cancelled') {
    super('ECANCELLED', message);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
export function isCancelled(e: unknown): boolean {
  return (
    (e instanceof AppError && e.code === 'ECANCELLED') || (e instanceof Error && e.name === 'AbortError')
  );
}
export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TABLE, s);
}

/** One sentence for people: the title, this occurrence's message, and what to do. */
export function describeError(e: ErrorData): { title: string; message: string; hint: string } {
  const row = ERROR_TABLE[e.code] ?? ERROR_TABLE.EINTERNAL;
  return { title: row.title, message: e.message, hint: row.hint };
}
