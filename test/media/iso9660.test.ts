// The independent ISO 9660 reader used to double-check builds: names as Linux shows them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIsoFileDirect } from '../../main/iso/iso9660';
import { skipReason, tempDir } from '../helpers/env';

const skip = skipReason({ tools: ['genisoimage'] });

describe.skipIf(!!skip)(`own ISO 9660 reader${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const t = tempDir('eb-iso9660-');
  const iso = (name: string, args: string[]) => {
    const out = path.join(t.dir, name);
    execFileSync('genisoimage', ['-quiet', '-o', out, ...args, path.join(t.dir, 'tree')]);
    return out;
  };
  beforeAll(() => {
    fs.mkdirSync(path.join(t.dir, 'tree', 'oem', 'nested'), { recursive: true });
    fs.writeFileSync(path.join(t.dir, 'tree', 'config.yaml'), '#cloud-config\na: 1\n');
    fs.writeFileSync(path.join(t.dir, 'tree', 'oem', 'nested', 'Site-Extra.yml'), '#cloud-config\nb: 2\n');
  });
  afterAll(() => t.cleanup());

  it('reads Rock Ridge and Joliet names, nested paths included', async () => {
    for (const f of [iso('rr.iso', ['-R']), iso('joliet.iso', ['-J']), iso('both.iso', ['-R', '-J'])]) {
      expect((await readIsoFileDirect(f, '/config.yaml'))?.toString()).toBe('#cloud-config\na: 1\n');
      expect((await readIsoFileDirect(f, '/oem/nested/Site-Extra.yml'))?.toString()).toBe(
        '#cloud-config\nb: 2\n',
      );
      expect(await readIsoFileDirect(f, '/missing.yaml')).toBeUndefined();
      expect(await readIsoFileDirect(f, '/oem')).toBeUndefined();
    }
  });

  it('without Rock Ridge or Joliet, a long name is not visible as such (Linux shows config.yam)', async () => {
    const plain = iso('plain.iso', []);
    expect(await readIsoFileDirect(plain, '/config.yaml')).toBeUndefined();
    expect((await readIsoFileDirect(plain, '/config.yam'))?.toString()).toBe('#cloud-config\na: 1\n');
  });
});
