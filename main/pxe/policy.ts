// Boot decisions behind one interface (pixiecore's Booter): given what a PXE client says about
// itself, which file does it boot, or is it ignored. Pure apart from the host lookup.
import type { BootEventKind } from '../../shared/contract/pxe';

/** Client system architectures (RFC 4578 option 93, IANA registry). */
export const ARCH = { BIOS: 0, EFI_IA32: 6, EFI_X64: 7, EFI_BC: 9, EFI_ARM64: 11, EFI_X64_HTTP: 16 } as const;

export interface Machine {
  mac: string;
  /** Option 93; BIOS when the client did not send it. */
  arch: number;
  /** iPXE already runs (option 77 "iPXE" or option 175). */
  ipxe: boolean;
  clientClass: 'PXEClient' | 'HTTPClient';
}

export type BootDecision =
  | {
      boot: true;
      /** What goes in the `file` field and option 67: a TFTP name or an HTTP URL. */
      file: string;
      stage: 'ipxe-script' | 'undionly' | 'ipxe-efi' | 'http-efi';
      hostId?: string;
    }
  | { boot: false; reason: string; hostId?: string };

export interface BootPolicy {
  decide(m: Machine): Promise<BootDecision>;
}

/** Who may boot: known MACs, or anyone when unknown MACs are allowed. */
export interface HostLookup {
  hostIdFor(mac: string): Promise<string | undefined>;
  allowUnknown: boolean;
}

export interface BootUrls {
  /** http://ip:port */
  httpBase: string;
  /** TFTP names of the iPXE loaders. */
  biosLoader: string;
  efiLoader: string;
}

export function macPath(mac: string): string {
  return mac.replace(/:/g, '-');
}

export function scriptUrl(httpBase: string, mac: string): string {
  return `${httpBase}/pxe/${macPath(mac)}/boot.ipxe`;
}

export class DefaultBootPolicy implements BootPolicy {
  constructor(
    private readonly hosts: HostLookup,
    private readonly urls: BootUrls,
  ) {}

  async decide(m: Machine): Promise<BootDecision> {
    const hostId = await this.hosts.hostIdFor(m.mac);
    if (!hostId && !this.hosts.allowUnknown)
      return {
        boot: false,
        reason: `unknown MAC ${m.mac} (not in the hosts list; unknown MACs are ignored)`,
      };
    if (m.ipxe)
      return { boot: true, file: scriptUrl(this.urls.httpBase, m.mac), stage: 'ipxe-script', hostId };
    switch (m.arch) {
      case ARCH.BIOS:
        return { boot: true, file: this.urls.biosLoader, stage: 'undionly', hostId };
      case ARCH.EFI_X64:
      case ARCH.EFI_BC:
        return { boot: true, file: this.urls.efiLoader, stage: 'ipxe-efi', hostId };
      case ARCH.EFI_X64_HTTP:
        return { boot: true, file: `${this.urls.httpBase}/ipxe/ipxe.efi`, stage: 'http-efi', hostId };
      default:
        return {
          boot: false,
          reason: `client architecture ${m.arch} is not supported (x86 BIOS 0, UEFI x64 7/9, HTTP boot 16)`,
          hostId,
        };
    }
  }
}

/** What protocol modules report; the service adds the time, stores and streams it. */
export interface BootEventInput {
  mac: string;
  kind: BootEventKind;
  message: string;
  hostId?: string;
  data?: Record<string, unknown>;
}
export type EmitBootEvent = (e: BootEventInput) => void;
export type PxeLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
