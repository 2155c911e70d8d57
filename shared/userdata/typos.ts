// "Did you mean" for keys: case-insensitive or separator-insensitive matches and small edit
// distances against the keys known at that level of the schema.

/** Keys that Palette's own docs spell differently in places. */
const ALIASES: Record<string, string> = { siteNetwork: 'network', sshAuthorizedKeys: 'ssh_authorized_keys' };

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');

/** The known key that `key` most likely meant, or undefined when it looks deliberate. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (known.includes(key)) return undefined;
  const alias = ALIASES[key];
  if (alias && known.includes(alias)) return alias;
  const n = norm(key);
  const exact = known.find((k) => norm(k) === n);
  if (exact) return exact;
  if (key.length < 4) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(n, norm(k));
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const limit = key.length >= 8 ? 2 : 1;
  return bestD <= limit ? best : undefined;
}
