// A manifest row as the host record the user-data renderer and the inventory use.
import type { Host } from '../../shared/contract/hosts';
import type { ManifestHost } from '../../shared/contract/staging';

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
