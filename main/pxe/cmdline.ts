// The kernel command line of a netbooted installer and the per-MAC iPXE script. The default is
// AuroraBoot's Kairos netboot line; a profile may carry its own template (stored per profile).
import { AppError } from '../../shared/errors';

export const DEFAULT_CONSOLE = 'console=tty1 console=ttyS0,115200';

/** AuroraBoot's netboot command line (kairos-io/AuroraBoot), with our URLs filled in. */
export const DEFAULT_CMDLINE_TEMPLATE =
  'rd.neednet=1 ip=dhcp rd.cos.disable {{root}} netboot nodepair.enable {{config}} rd.live.overlay.overlayfs {{console}}';

export const CMDLINE_PLACEHOLDERS = [
  'root', // root=live:<rootfs url>, or nothing when the ISO has no rootfs.squashfs
  'rootfs_url',
  'config', // config_url=<url>, or nothing when the host has no user-data
  'config_url',
  'console',
  'server', // http://ip:port
  'mac',
  'host_id',
] as const;
export type CmdlineVars = Partial<Record<(typeof CMDLINE_PLACEHOLDERS)[number], string>>;

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Refuses templates that would break the iPXE script or name unknown placeholders. */
export function checkCmdlineTemplate(t: string): void {
  if (/[\r\n]/.test(t)) throw new AppError('EINVALID', 'the kernel command-line template must be one line');
  if (t.length > 4096)
    throw new AppError('EINVALID', 'the kernel command-line template is over 4096 characters');
  for (const m of t.matchAll(PLACEHOLDER))
    if (!(CMDLINE_PLACEHOLDERS as readonly string[]).includes(m[1]))
      throw new AppError(
        'EINVALID',
        `unknown placeholder {{${m[1]}}} in the kernel command-line template (known: ${CMDLINE_PLACEHOLDERS.join(', ')})`,
      );
}

export function renderCmdline(template: string, v: CmdlineVars): string {
  checkCmdlineTemplate(template);
  const vars: CmdlineVars = {
    console: DEFAULT_CONSOLE,
    ...v,
    root: v.root ?? (v.rootfs_url ? `root=live:${v.rootfs_url}` : ''),
    config: v.config ?? (v.config_url ? `config_url=${v.config_url}` : ''),
  };
  return template
    .replace(PLACEHOLDER, (_m, name: keyof CmdlineVars) => vars[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface IpxeScriptInput {
  mac: string;
  hostId?: string;
  kernelUrl: string;
  initrdUrl: string;
  cmdline: string;
}

/**
 * The per-MAC iPXE script. `initrd=initrd` on the kernel line is needed by UEFI iPXE (the
 * kernel's EFI stub finds the initrd by that name); BIOS ignores it.
 */
export function ipxeScript(s: IpxeScriptInput): string {
  const label = (s.hostId ?? 'unknown host').replace(/[^\w.-]/g, '_');
  return [
    '#!ipxe',
    `echo Edgebench: network boot of ${label} (${s.mac})`,
    ':retry',
    `initrd --name initrd ${s.initrdUrl} || goto failed`,
    `kernel ${s.kernelUrl} initrd=initrd ${s.cmdline} || goto failed`,
    'boot || goto failed',
    ':failed',
    'echo Edgebench: boot failed, retrying in 5 seconds',
    'sleep 5',
    'goto retry',
    '',
  ].join('\n');
}

/** For machines whose DHCP gave them only this URL: chain to the per-MAC script. */
export const CHAIN_SCRIPT = '#!ipxe\nchain /pxe/${mac:hexhyp}/boot.ipxe\n';
