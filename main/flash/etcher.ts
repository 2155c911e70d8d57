// etcher-sdk, loaded on first use. Importing it loads an Emscripten module (ext2fs, through
// balena-image-fs) that installs process-wide 'uncaughtException' and 'unhandledRejection'
// handlers which rethrow and print its whole generated source; we remove exactly those handlers
// so the process keeps Node's own behaviour and readable errors.
import type * as EtcherSdk from 'etcher-sdk';

let sdk: typeof EtcherSdk | undefined;

export function etcher(): typeof EtcherSdk {
  if (sdk) return sdk;
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const list = (e: (typeof events)[number]) => process.listeners(e as 'uncaughtException') as unknown[];
  const before = events.map((e) => new Set(list(e)));
  sdk = require('etcher-sdk') as typeof EtcherSdk;
  events.forEach((e, i) => {
    for (const l of list(e)) if (!before[i].has(l)) process.off(e as 'uncaughtException', l as never);
  });
  return sdk;
}
