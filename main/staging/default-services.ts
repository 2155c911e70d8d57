// The staging services bound to the real capabilities of this app (user-data, media, flash, PXE,
// register). The CLI, the API handlers and the tests use this; options carry bench settings.
import type { AppContext } from '../app';
import { renderHostUserData } from './adapters/userdata';
import { registerHosts, writeLabel, writeLabelSheet } from './adapters/register';
import { buildCidataImage, buildInstallerIso, inspectBaseImage } from './adapters/media';
import { flashToTargets } from './adapters/flash';
import { startPxeSession, type PxeSettings } from './adapters/pxe';
import type { StagingServices } from './services';
import { hostValuesFor } from './host-values';

export interface ServiceSettings {
  pxe?: PxeSettings;
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
