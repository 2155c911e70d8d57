// SSH public key check: "<type> <base64 blob> [comment]" where the blob starts with the same type.
// Kairos also accepts "github:<user>" and "gitlab:<user>" (keys fetched at boot).

export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

export function decodeBase64(s: string): Uint8Array | undefined {
  const clean = s.replace(/\s+/g, '');
  if (!clean || clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return undefined;
  try {
    const bin = atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** Returns a problem description, or undefined when the key is well formed. */
export function checkSshPublicKey(line: string): string | undefined {
  const key = line.trim();
  if (!key) return 'SSH key is empty';
  if (/^(github|gitlab):[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) return undefined;
  if (/-----BEGIN/.test(key))
    return 'SSH key is a PEM block (a private key?); paste the one-line public key (.pub)';
  const parts = key.split(/\s+/);
  const type = parts[0];
  if (!SSH_KEY_TYPES.includes(type)) {
    return `SSH key type "${type.slice(0, 40)}" is not one of ${SSH_KEY_TYPES.slice(0, 6).join(', ')}`;
  }
  if (parts.length < 2) return `SSH key "${type}" has no key data after the type`;
  const blob = decodeBase64(parts[1]);
  if (!blob || blob.length < 8) return `SSH key "${type}" has key data that is not valid base64`;
  const len = ((blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3]) >>> 0;
  const embedded = len <= blob.length - 4 ? String.fromCharCode(...blob.subarray(4, 4 + len)) : '';
  if (embedded !== type) {
    return `SSH key says "${type}" but its key data is ${embedded && /^[\x20-\x7e]+$/.test(embedded) ? `"${embedded}"` : 'damaged or truncated'}`;
  }
  return undefined;
}

/** A CA certificate given as PEM or as base64 (of PEM or DER). Returns a problem or undefined. */
export function checkCaCert(value: string): string | undefined {
  const v = value.trim();
  if (v.startsWith('-----BEGIN')) {
    if (!/-----END CERTIFICATE-----/.test(v)) return 'is a PEM block without "-----END CERTIFICATE-----"';
    const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
    let rest = v;
    for (const m of v.matchAll(re)) {
      if (!decodeBase64(m[1])) return 'is a PEM certificate whose body is not valid base64';
      rest = rest.replace(m[0], '');
    }
    if (rest.trim()) return 'has text outside its BEGIN CERTIFICATE ... END CERTIFICATE blocks';
    return undefined;
  }
  return decodeBase64(v) ? undefined : 'is neither a PEM certificate nor base64';
}
