// SHA-512 crypt ($6$, Drepper's specification, as glibc's crypt(3) and Kairos' user setup read it),
// synchronous so rendering stays synchronous. Tests check it against the `unixcrypt` package.
import crypto from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const sha512 = (...parts: Buffer[]) => {
  const h = crypto.createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

function repeatTo(digest: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += 64) digest.copy(out, i, 0, Math.min(64, len - i));
  return out;
}

function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = '';
  for (let i = 0; i < n; i++) {
    s += ALPHABET[w & 0x3f];
    w >>= 6;
  }
  return s;
}

/** Hash `password` as `$6$<salt>$<hash>` (5000 rounds, a random 16-character salt unless given). */
export function sha512Crypt(password: string, salt?: string, rounds = 5000): string {
  const saltStr = (salt ?? randomSalt()).slice(0, 16);
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(saltStr, 'utf8');
  const B = sha512(P, S, P);
  const a = crypto.createHash('sha512');
  a.update(P);
  a.update(S);
  a.update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();
  const dp = crypto.createHash('sha512');
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pseq = repeatTo(dp.digest(), P.length);
  const ds = crypto.createHash('sha512');
  for (let i = 0; i < 16 + A[0]; i++) ds.update(S);
  const Sseq = repeatTo(ds.digest(), S.length);
  let C = A;
  for (let i = 0; i < rounds; i++) {
    const h = crypto.createHash('sha512');
    h.update(i & 1 ? Pseq : C);
    if (i % 3) h.update(Sseq);
    if (i % 7) h.update(Pseq);
    h.update(i & 1 ? C : Pseq);
    C = h.digest();
  }
  let out = '';
  for (let n = 0; n < 21; n++) {
    const [x, y, z] = [C[n], C[n + 21], C[n + 42]];
    out += n % 3 === 0 ? b64From24(x, y, z, 4) : n % 3 === 1 ? b64From24(y, z, x, 4) : b64From24(z, x, y, 4);
  }
  out += b64From24(0, 0, C[63], 2);
  const roundsPart = rounds === 5000 ? '' : `rounds=${rounds}$`;
  return `$6$${roundsPart}${saltStr}$${out}`;
}

function randomSalt(): string {
  const bytes = crypto.randomBytes(16);
  return [...bytes].map((b) => ALPHABET[b & 0x3f]).join('');
}
