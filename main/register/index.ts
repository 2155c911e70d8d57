// In-process API of the register capability (the staging run and other domains call these).
export { enqueueRegistration, syncRegistrations, startAutoSync, stopAutoSync, labelsFor } from './queue';
export { createOrExtendCluster, deleteCluster, buildClusterEntity, refreshPaletteHosts } from './cluster';
export { putSite, getSite } from './sites';
export { labelData, labelUrl, writeLabels, labelsPdf, qrPng, labelSvg } from './labels';
export { exportTerraform } from './terraform';
export { hostRows, connectionView } from './service';
