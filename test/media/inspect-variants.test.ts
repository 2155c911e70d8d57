// `iso inspect` on the fixture ISOs and on a build, `iso extract`, OVA structure, the AMI metadata,
// and the artifact records. Runs the real bin against real xorriso / qemu-img / tar.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../../main/iso/probe';
import { jsonLines, runCli } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';

const fx = await ensureInstallerFixture();
const skip = fx.skipReason ?? skipReason({ tools: ['qemu-img', 'tar'] });

const UD = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: tok-inspect
    name: edge-inspect-01
`;

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe.skipIf(!!skip)(`inspect, extract and variants${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const t = tempDir('eb-media-inspect-');
  const data = path.join(t.dir, 'data');
  const ud = path.join(t.dir, 'ud.yaml');
  const built = path.join(t.dir, 'built.iso');
  beforeAll(() => {
    fs.writeFileSync(ud, UD);
    const r = runCli(['iso', 'build', '--base', fx.iso, '--user-data', ud, '-o', built, '--json'], {
      dataDir: data,
    });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => t.cleanup());

  const inspect = (f: string) => {
    const r = runCli(['iso', 'inspect', f, '--json'], { dataDir: data });
    expect(r.code, r.stderr).toBe(0);
    return jsonLines(r.stdout)[0];
  };

  it('the fixture installer: BIOS + UEFI El Torito, hybrid MBR + GPT, Kairos layout, base user-data', () => {
    const r = inspect(fx.iso);
    expect(r.probe.volumeId).toBe('COS_LIVE');
    expect(
      r.probe.elTorito.entries.map((e: { platform: string; bootable: boolean }) => [e.platform, e.bootable]),
    ).toEqual([
      ['bios', true],
      ['uefi', true],
    ]);
    expect(r.probe.hybrid).toBe(true);
    expect(r.probe.gpt.partitions.length).toBeGreaterThan(0);
    expect(r.kairos).toEqual({
      kernel: '/boot/kernel',
      initrd: '/boot/initrd',
      squashfs: '/rootfs.squashfs',
      isKairosLayout: true,
    });
    expect(r.userData.map((u: { path: string }) => u.path)).toEqual(['/config.yaml']);
    expect(r.userData[0].text).toBe(fx.baseUserData);
    expect(r.sha256).toBe(sha(fx.iso));
    expect(r.size).toBe(fs.statSync(fx.iso).size);
  });

  it('BIOS-only, CD-only and boot-less ISOs are told apart', () => {
    const bios = inspect(fx.biosOnlyIso);
    expect([bios.probe.bootsBios, bios.probe.bootsUefi, bios.probe.hybrid, bios.probe.gpt]).toEqual([
      true,
      false,
      true,
      undefined,
    ]);
    const cd = inspect(fx.cdOnlyIso);
    expect([cd.probe.bootsBios, cd.probe.bootsUefi, cd.probe.hybrid]).toEqual([true, false, false]);
    expect(cd.warnings.map((w: { code: string }) => w.code)).toEqual(['ENOHYBRID']);
    const none = inspect(fx.noBootIso);
    expect(none.probe.elTorito).toBeUndefined();
    expect(none.warnings.map((w: { code: string }) => w.code)).toEqual(['ENOBOOT']);
  });

  it('the built ISO: same boot entries as the base, the new user-data shown and validated', async () => {
    const r = inspect(built);
    const base = await probeImage(fx.iso);
    expect(r.probe.elTorito.entries.map((e: { platform: string }) => e.platform)).toEqual(
      base.elTorito!.entries.map((e) => e.platform),
    );
    expect(r.probe.hybrid && r.probe.gpt !== undefined).toBe(true);
    expect(r.userData).toHaveLength(1);
    expect(r.userData[0]).toMatchObject({ path: '/config.yaml', text: UD });
    expect(r.userData[0].report.valid).toBe(true);
    const human = runCli(['iso', 'inspect', built], { dataDir: data });
    expect(human.stdout).toMatch(/boots\s+BIOS \+ UEFI, hybrid/);
    expect(human.stdout).toMatch(/user-data\s+\/config\.yaml \(\d+ bytes, valid\)/);
    expect(human.stdout).toContain('| edgeHostToken: tok-inspect'.replace('| ', '|     '));
  });

  it('--compact writes a fresh image with the same user-data and boot entries, without the appended-session overhead', () => {
    const compact = path.join(t.dir, 'compact.iso');
    const b = runCli(
      ['iso', 'build', '--base', fx.iso, '--user-data', ud, '-o', compact, '--compact', '--json'],
      { dataDir: data },
    );
    expect(b.code, b.stderr).toBe(0);
    const res = jsonLines(b.stdout).find((l) => l.ok);
    expect(res.sha256).toBe(sha(compact));
    const r = inspect(compact);
    expect(r.userData.map((u: { path: string; text: string }) => [u.path, u.text])).toEqual([
      ['/config.yaml', UD],
    ]);
    expect(r.probe.elTorito.entries.map((e: { platform: string }) => e.platform)).toEqual(['bios', 'uefi']);
    expect(r.probe.hybrid).toBe(true);
    expect(fs.statSync(compact).size).toBeLessThanOrEqual(fs.statSync(built).size);
  });

  it('inspect refuses a file that is not an ISO', () => {
    const junk = path.join(t.dir, 'junk.bin');
    fs.writeFileSync(junk, Buffer.alloc(40_000, 7));
    const r = runCli(['iso', 'inspect', junk], { dataDir: data });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOTISO/);
  });

  it('extract pulls the kernel byte for byte, refuses an existing output, names a missing path', () => {
    const k = path.join(t.dir, 'kernel');
    expect(runCli(['iso', 'extract', built, '/boot/kernel', '-o', k], { dataDir: data }).code).toBe(0);
    expect(sha(k)).toBe(sha(fx.kernel));
    const again = runCli(['iso', 'extract', built, '/boot/kernel', '-o', k], { dataDir: data });
    expect(again.code).toBe(6);
    const missing = runCli(['iso', 'extract', built, '/boot/vmlinuz', '-o', path.join(t.dir, 'x')], {
      dataDir: data,
    });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/has no file \/boot\/vmlinuz/);
    expect(fs.existsSync(path.join(t.dir, 'x'))).toBe(false);
  });

  it('OVA: OVF first, streamOptimized VMDK, 2 vCPUs, 4 GB, 50 GB target disk, manifest hashes verify', () => {
    const ova = path.join(t.dir, 'edge.ova');
    const r = runCli(
      ['variant', 'build', '--base', fx.iso, '--user-data', ud, '-o', ova, '--format', 'ova', '--json'],
      { dataDir: data },
    );
    expect(r.code, r.stderr).toBe(0);
    const members = execFileSync('tar', ['-tf', ova], { encoding: 'utf8' }).trim().split('\n');
    expect(members).toEqual(['edge.ovf', 'edge-installer.vmdk', 'edge.mf']);
    const x = path.join(t.dir, 'ova-x');
    fs.mkdirSync(x);
    execFileSync('tar', ['-xf', ova, '-C', x]);
    const ovf = fs.readFileSync(path.join(x, 'edge.ovf'), 'utf8');
    expect(ovf).toMatch(/<Envelope xmlns="http:\/\/schemas\.dmtf\.org\/ovf\/envelope\/1"/);
    expect(ovf).toMatch(
      /<rasd:ResourceType>3<\/rasd:ResourceType>\s*<rasd:VirtualQuantity>2<\/rasd:VirtualQuantity>/,
    );
    expect(ovf).toMatch(
      /<rasd:AllocationUnits>byte \* 2\^20<\/rasd:AllocationUnits>[\s\S]*?<rasd:VirtualQuantity>4096<\/rasd:VirtualQuantity>/,
    );
    expect(ovf).toMatch(/ovf:diskId="target" ovf:capacity="50" ovf:capacityAllocationUnits="byte \* 2\^30"/);
    expect(ovf).toContain(
      `ovf:href="edge-installer.vmdk" ovf:size="${fs.statSync(path.join(x, 'edge-installer.vmdk')).size}"`,
    );
    expect(ovf).toContain('vmdk.html#streamOptimized');
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', path.join(x, 'edge-installer.vmdk')], {
        encoding: 'utf8',
      }),
    );
    expect(info.format).toBe('vmdk');
    expect(info['format-specific'].data['create-type']).toBe('streamOptimized');
    const mf = fs.readFileSync(path.join(x, 'edge.mf'), 'utf8').trim().split('\n');
    expect(mf).toHaveLength(2);
    for (const line of mf) {
      const m = /^SHA256\((.+)\)= ([0-9a-f]{64})$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(sha(path.join(x, m![1]))).toBe(m![2]);
    }
  });

  it('vmdk, raw and ami: formats check out; ami writes import metadata and says it is not uploaded', () => {
    const vmdk = path.join(t.dir, 'edge.vmdk');
    expect(
      runCli(['variant', 'build', '--base', fx.iso, '--user-data', ud, '-o', vmdk, '--format', 'vmdk'], {
        dataDir: data,
      }).code,
    ).toBe(0);
    expect(fs.readFileSync(vmdk).subarray(0, 4).toString('latin1')).toBe('KDMV');
    const raw = path.join(t.dir, 'edge.raw');
    expect(
      runCli(['variant', 'build', '--base', fx.iso, '--user-data', ud, '-o', raw, '--format', 'raw'], {
        dataDir: data,
      }).code,
    ).toBe(0);
    expect(fs.statSync(raw).size % (1024 * 1024)).toBe(0);
    expect(fs.readFileSync(raw).subarray(510, 512)).toEqual(Buffer.from([0x55, 0xaa]));
    const ami = runCli(
      [
        'variant',
        'build',
        '--base',
        fx.iso,
        '--user-data',
        ud,
        '-o',
        path.join(t.dir, 'edge-ami.raw'),
        '--format',
        'ami',
      ],
      {
        dataDir: data,
      },
    );
    expect(ami.code, ami.stderr).toBe(0);
    expect(ami.stdout).toMatch(/not uploaded/);
    const containers = JSON.parse(fs.readFileSync(path.join(t.dir, 'edge-ami.containers.json'), 'utf8'));
    expect(containers[0]).toMatchObject({ Format: 'raw', UserBucket: { S3Key: 'edgebench/edge-ami.raw' } });
    expect(fs.readFileSync(path.join(t.dir, 'edge-ami.import.txt'), 'utf8')).toContain(
      'aws ec2 import-image',
    );
  });

  it('artifacts are recorded with hashes and listed', () => {
    const r = runCli(['iso', 'artifacts', '--json'], { dataDir: data });
    const list = jsonLines(r.stdout)[0].artifacts as Array<{
      kind: string;
      path: string;
      sha256: string;
      meta: Record<string, unknown>;
    }>;
    const iso = list.find((a) => a.path === built)!;
    expect(iso.kind).toBe('iso');
    expect(iso.sha256).toBe(sha(built));
    expect(iso.meta.baseSha256).toBe(sha(fx.iso));
    expect(iso.meta.userDataSha256).toBe(crypto.createHash('sha256').update(UD).digest('hex'));
    expect(new Set(list.map((a) => a.kind))).toEqual(new Set(['iso', 'ova', 'vmdk', 'raw', 'ami']));
    for (const a of list) expect(a.sha256).toBe(sha(a.path));
  });
});
