// The staging services bound to the real capabilities of this app (user-data, media, flash, PXE,
// register). The CLI, the API handlers and the tests use this; options carry bench settings.
import type { AppContext } from '../app';
import type { Host } from '../../shared/contract/hosts';
import type { ManifestHost } from '../../shared/contract/staging';
import { renderHostUserData } from './adapters/userdata';
import { registerHosts, writeLabel, writeLabelSheet } from './adapters/register';
import { buildCidataImage, buildInstallerIso, inspectBaseImage } from './adapters/media';
import { flashToTargets } from './adapters/flash';
import { startPxeSession, type PxeSettings } from './adapters/pxe';
import type { StagingServices } from './services';

export interface ServiceSettings {
  pxe?: PxeSettings;
}

export function hostValuesFor(h: ManifestHost): Pick<Host, 'id' | 'values' | 'site' | 'mac' | 'serial'> {
  return {
    id: h.id,
    site: h.site,
    mac: h.mac,
    serial: h.serial,
    values: {
      ...(h.hostName ? { hostName: h.hostName } : {}),
      ...(h.network.ipAddress ? { ipAddress: h.network.ipAddress } : {}),
      ...(h.network.mask ? { mask: h.network.mask } : {}),
      ...(h.network.gateway ? { gateway: h.network.gateway } : {}),
      ...(h.network.nameservers.length ? { nameserver: h.network.nameservers.join(',') } : {}),
      ...(h.network.nic ? { nic: h.network.nic } : {}),
      tags: h.tags,
    } as Host['values'],
  };
}

export function defaultServices(app: AppContext, settings: ServiceSettings = {}): StagingServices {
  return {
    render: (profile, host) => renderHostUserData(profile, hostValuesFor(host)),
    buildIso: (a) => buildInstallerIso(a),
    buildCidata: (a) => buildCidataImage(a),
    inspectBase: (base, signal) => inspectBaseImage(base, signal),
    flash: (a) => flashToTargets(app, a),
    startPxe: (a) => startPxeSession(app, a, settings.pxe),
    register: (a) => registerHosts(app, a.hosts, a.signal),
    label: (a) => writeLabel(app, a.host, a.out),
    labelSheet: (a) => writeLabelSheet(app, a.hosts, a.out),
  };
}
