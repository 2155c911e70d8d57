// Entry of the privileged helper process (raw disk writes). Built as dist/main/helper.cjs and
// started by main/privileged/client.ts through the platform's elevation (pkexec on Linux).
//   node helper.cjs --token-sha256 <hex> --parent-pid <pid> [--allow-dir <dir>]...
// It speaks only the protocol in protocol.ts on its stdin/stdout and opens no network port.
import { runHelper } from './helper-server';
import { callerFromEnv } from './elevation';

function parseArgs(argv: string[]): { tokenSha256: string; parentPid?: number; allowDirs: string[] } {
  let tokenSha256 = '';
  let parentPid: number | undefined;
  const allowDirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--token-sha256' && v) tokenSha256 = argv[++i];
    else if (a === '--parent-pid' && v) parentPid = Number(argv[++i]);
    else if (a === '--allow-dir' && v) allowDirs.push(argv[++i]);
    else {
      process.stderr.write(`edgebench helper: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!/^[0-9a-f]{64}$/.test(tokenSha256)) {
    process.stderr.write('edgebench helper: --token-sha256 <64 hex digits> is required\n');
    process.exit(2);
  }
  if (parentPid !== undefined && !(Number.isInteger(parentPid) && parentPid > 1)) {
    process.stderr.write('edgebench helper: --parent-pid must be a process id\n');
    process.exit(2);
  }
  return { tokenSha256, parentPid, allowDirs };
}

const args = parseArgs(process.argv.slice(2));
// Ctrl-C on the terminal reaches the whole process group: the parent decides (it sends "cancel"
// and closes our stdin), so the helper never dies half-way through closing a drive.
process.on('SIGINT', () => undefined);
// Unhandled trouble ends the helper (the parent sees EHELPER), never leaves it running.
process.on('uncaughtException', (e) => {
  process.stderr.write(`edgebench helper: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(70);
});
runHelper({
  ...args,
  caller: callerFromEnv(),
  input: process.stdin,
  output: process.stdout,
  exit: (code) => process.exit(code),
});
