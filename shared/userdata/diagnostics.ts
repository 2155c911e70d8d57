// Diagnostics produced by user-data validation. Positions are 1-based.

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Key path, e.g. stylus.site.network.interfaces.eth0.gateway ('' for the document). */
  path: string;
  line: number;
  column: number;
  message: string;
  /** Stable rule id, e.g. 'gateway-outside-subnet', 'typo', 'yaml-syntax'. */
  rule: string;
}

export interface UserDataReport {
  valid: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** `FILE:LINE:COL key.path message`, the format of `edgebench userdata validate`. */
export function formatDiagnostic(d: Diagnostic, file = '<input>'): string {
  return `${file}:${d.line}:${d.column} ${d.path || '(document)'} ${d.message}`;
}
