// Shared helpers for the user-data tests.
import { expect } from 'vitest';
import type { Diagnostic } from '../../shared/userdata/diagnostics';
import { analyzeUserData } from '../../shared/userdata/validate';

export const FIXTURES = `${__dirname}/fixtures`;

/** A minimal valid central-management document; `extraSite` lines are indented under site. */
export function siteDoc(extraSite: string[] = [], tail: string[] = []): string {
  return [
    '#cloud-config',
    'stylus:',
    '  site:',
    '    paletteEndpoint: api.spectrocloud.com',
    '    edgeHostToken: tok-123',
    ...extraSite.map((l) => `    ${l}`),
    ...tail,
    '',
  ].join('\n');
}

export function all(text: string): Diagnostic[] {
  const r = analyzeUserData(text).report;
  return [...r.errors, ...r.warnings];
}

/** Exactly one diagnostic of `rule`, with the given fields. */
export function expectOne(text: string, rule: string, want: Partial<Diagnostic>): Diagnostic {
  const found = all(text).filter((d) => d.rule === rule);
  expect(found, `diagnostics of rule ${rule}: ${JSON.stringify(all(text), null, 1)}`).toHaveLength(1);
  expect(found[0]).toMatchObject(want);
  return found[0];
}

export function expectValid(text: string) {
  const r = analyzeUserData(text).report;
  expect(r.errors, JSON.stringify(r.errors, null, 1)).toEqual([]);
  expect(r.valid).toBe(true);
  return r;
}

/** A well-formed OpenSSH public key line of `type` (blob = string type + random bytes). */
export function sshKey(type = 'ssh-ed25519', blobType = type, comment = 'tech@bench'): string {
  const t = Buffer.from(blobType);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const keyLen = Buffer.alloc(4);
  keyLen.writeUInt32BE(32);
  const blob = Buffer.concat([len, t, keyLen, Buffer.alloc(32, 7)]);
  return `${type} ${blob.toString('base64')} ${comment}`;
}
