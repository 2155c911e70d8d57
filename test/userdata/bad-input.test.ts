// Bad files: binary, too large, UTF-16, invalid UTF-8, missing, a folder. Each gets its own error.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUserDataFile, validateUserDataText } from '../../main/userdata';
import { toForm } from '../../shared/userdata/form';
import { tempDir } from '../helpers/env';

const tmp = tempDir('eb-ud-bad-');
afterAll(() => tmp.cleanup());
const file = (name: string, data: string | Buffer) => {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, data);
  return p;
};

describe('bad user-data files', () => {
  it('binary data', async () => {
    const p = file('bin', Buffer.from([0x23, 0x63, 0x6c, 0x00, 0xff, 0x10]));
    await expect(readUserDataFile(p)).rejects.toMatchObject({
      code: 'EENCODING',
      message: `${p} contains binary data (a NUL byte at offset 3); a user-data file must be text`,
    });
  });
  it('a 50 MB file is refused before it is read', async () => {
    const p = path.join(tmp.dir, 'huge');
    fs.writeFileSync(p, '');
    fs.truncateSync(p, 50 * 1024 * 1024);
    await expect(readUserDataFile(p)).rejects.toMatchObject({
      code: 'ETOOLARGE',
      message: `${p} is 52428800 bytes; a user-data file may be at most 1048576 bytes`,
    });
  });
  it('UTF-16', async () => {
    const p = file(
      'u16',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('#cloud-config\n', 'utf16le')]),
    );
    await expect(readUserDataFile(p)).rejects.toMatchObject({
      code: 'EENCODING',
      message: `${p} is UTF-16 encoded; save the user-data file as UTF-8`,
    });
  });
  it('invalid UTF-8 (Latin-1 bytes)', async () => {
    const p = file('latin1', Buffer.from('#cloud-config\nname: caf\xe9\n', 'latin1'));
    await expect(readUserDataFile(p)).rejects.toMatchObject({
      code: 'EENCODING',
      message: `${p} is not valid UTF-8 text; save the user-data file as UTF-8`,
    });
  });
  it('a missing file and a folder', async () => {
    await expect(readUserDataFile(path.join(tmp.dir, 'nope'))).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(readUserDataFile(tmp.dir)).rejects.toMatchObject({
      code: 'EINVALID',
      message: `${tmp.dir} is a folder, not a user-data file`,
    });
  });
  it('a UTF-8 BOM is accepted and the text validates', async () => {
    const p = file(
      'bom',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('#cloud-config\nstylus:\n  managementMode: local\n'),
      ]),
    );
    expect(validateUserDataText(await readUserDataFile(p)).valid).toBe(true);
  });
  it('an alias bomb is refused with its own finding, and the form stays usable', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, cur] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ])
      rows.push(
        `${cur}: &${cur} [${Array(9)
          .fill('*' + prev)
          .join(',')}]`,
      );
    const bomb = '#cloud-config\n' + rows.join('\n') + '\n';
    const r = validateUserDataText(bomb);
    expect(r.errors).toEqual([expect.objectContaining({ rule: 'yaml-aliases', line: 2, column: 1 })]);
    expect(toForm(bomb).paletteEndpoint).toBe('');
  });
  it('validateUserDataText never throws on odd text', () => {
    for (const t of [
      '\u0000\u0001',
      '#cloud-config\n: : :\n',
      '#cloud-config\n*a\n',
      '#cloud-config\n' + '['.repeat(5000),
      '#cloud-config\n&a [*a]\n',
    ])
      expect(validateUserDataText(t).valid).toBe(false);
  });
});
