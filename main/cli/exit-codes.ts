// Documented exit codes of the `edgebench` CLI (also printed by `edgebench --help`).
import type { ErrorCode } from '../../shared/errors';

export const EXIT = {
  OK: 0,
  INVALID: 1, // invalid input: user-data, manifest, image, arguments' values
  USAGE: 2, // wrong command line
  FAILED: 3, // runtime failure (I/O, tool failed, internal)
  PARTIAL: 4, // some items (drives, hosts) failed, the others succeeded
  NOTFOUND: 5, // a named file, profile, host or drive does not exist
  EXISTS: 6, // output exists and --force was not given
  PERMISSION: 7, // permission denied / needs root / refused by a safety guard
  NETWORK: 8, // network, auth or remote service failure (work may be queued)
  TOOLMISSING: 9, // a required system tool is not installed
  CANCELLED: 130, // cancelled (Ctrl-C)
} as const;

export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    invalid input (user-data, manifest, image, values)
  2    usage error (unknown command or option)
  3    runtime failure (I/O error, a tool failed, internal error)
  4    partial failure: some drives or hosts failed, the others succeeded
  5    not found (file, profile, host, drive)
  6    output exists (pass --force)
  7    permission denied or refused by a safety guard
  8    network, authentication or remote service failure
  9    a required system tool is missing
  130  cancelled`;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'EINVALID':
    case 'EENCODING':
    case 'ETOOLARGE':
    case 'ENOTISO':
    case 'ETRUNCATED':
    case 'ENOBOOT':
    case 'ECHECKSUM':
    case 'ETOOSMALL':
      return EXIT.INVALID;
    case 'EUSAGE':
      return EXIT.USAGE;
    case 'ENOTFOUND':
      return EXIT.NOTFOUND;
    case 'EEXIST':
      return EXIT.EXISTS;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ESYSTEMDRIVE':
    case 'ESOURCEDRIVE':
    case 'ELARGEDRIVE':
    case 'ENOTCONFIRMED':
      return EXIT.PERMISSION;
    case 'EAUTH':
    case 'ECONFLICT':
    case 'ERATELIMIT':
    case 'EUNAVAILABLE':
    case 'ETIMEDOUT':
    case 'ENETWORK':
    case 'EPROTOCOL':
      return EXIT.NETWORK;
    case 'EPARTIAL':
      return EXIT.PARTIAL;
    case 'ETOOLMISSING':
      return EXIT.TOOLMISSING;
    case 'ECANCELLED':
      return EXIT.CANCELLED;
    default:
      return EXIT.FAILED;
  }
}
