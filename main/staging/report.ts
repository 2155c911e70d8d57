// The report of a run: what was done to which host, with hashes, times and every failure with its
// reason. HTML (self-contained, prints well), CSV (one row per host) or JSON. It holds hashes of
// user-data, never its text, and any secret passed in (API keys) is blanked out wherever it shows.
import path from 'node:path';
import { describeError, isErrorCode } from '../../shared/errors';
import type { RunDetail, RunHost, StepRecord } from '../../shared/contract/staging';
import { AppError } from '../../shared/errors';
import type { Store } from '../store';
import { toCsv } from './csv';
import { runDetail } from './status';

export type ReportFormat = 'html' | 'csv' | 'json';

export function reportFormatFor(file: string, given?: string): ReportFormat {
  const f = (given ?? path.extname(file).slice(1)).toLowerCase();
  if (f === 'html' || f === 'htm') return 'html';
  if (f === 'csv' || f === 'json') return f;
  throw new AppError(
    'EUSAGE',
    `cannot tell the report format from "${file}": use .html, .csv or .json, or --format`,
  );
}

const stepOf = (h: RunHost, s: string): StepRecord | undefined => h.steps.find((x) => x.step === s);

interface HostLine {
  host: RunHost;
  mediaPath?: string;
  target?: string;
  driveSerial?: string;
  verified?: boolean;
  pxeBootedAt?: string;
  registration?: string;
  paletteUid?: string;
  label?: string;
  startedAt?: string;
  finishedAt?: string;
  failure?: { step: string; code: string; title: string; message: string; hint: string };
}

function hostLine(h: RunHost): HostLine {
  const media = stepOf(h, 'media')?.result ?? {};
  const deliver = stepOf(h, 'deliver')?.result ?? {};
  const reg = stepOf(h, 'register')?.result ?? {};
  const label = stepOf(h, 'label')?.result ?? {};
  const failed = h.steps.find((s) => s.state === 'failed' && s.error);
  const times = h.steps
    .flatMap((s) => [s.startedAt, s.finishedAt])
    .filter((t): t is string => !!t)
    .sort();
  let failure: HostLine['failure'];
  if (failed?.error) {
    const code = isErrorCode(failed.error.code) ? failed.error.code : 'EINTERNAL';
    const d = describeError({ code, message: failed.error.message });
    failure = {
      step: failed.step,
      code: failed.error.code,
      title: d.title,
      message: d.message,
      hint: d.hint,
    };
  }
  return {
    host: h,
    mediaPath: typeof media.path === 'string' ? media.path : undefined,
    target: typeof deliver.target === 'string' ? deliver.target : undefined,
    driveSerial: typeof deliver.serial === 'string' ? deliver.serial : undefined,
    verified: typeof deliver.verified === 'boolean' ? deliver.verified : undefined,
    pxeBootedAt: typeof deliver.bootedAt === 'string' ? deliver.bootedAt : undefined,
    registration: typeof reg.registration === 'string' ? reg.registration : undefined,
    paletteUid: typeof reg.uid === 'string' ? reg.uid : undefined,
    label: typeof label.path === 'string' ? label.path : undefined,
    startedAt: times[0],
    finishedAt: h.state === 'done' || h.state === 'failed' ? times[times.length - 1] : undefined,
    failure,
  };
}

export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  return out.replace(
    /((?:edgeHostToken|apiKey|ApiKey|password|passwd)["']?\s*[:=]\s*["']?)[^"'\s,<&]{4,}/g,
    '$1[redacted]',
  );
}

export const REPORT_CSV_COLUMNS = [
  'run_id',
  'row',
  'host_id',
  'site',
  'profile',
  'delivery',
  'mac',
  'serial',
  'state',
  'user_data_sha256',
  'media_sha256',
  'media_file',
  'target',
  'drive_serial',
  'verified',
  'pxe_booted_at',
  'registration',
  'palette_uid',
  'label',
  'started_at',
  'finished_at',
  'failed_step',
  'error_code',
  'error_message',
  'what_to_do',
];

function csvReport(d: RunDetail, lines: HostLine[]): string {
  return toCsv(
    REPORT_CSV_COLUMNS,
    lines.map((l) => [
      d.id,
      l.host.index + 1,
      l.host.hostId,
      l.host.site,
      l.host.profile,
      l.host.delivery,
      l.host.mac,
      l.host.serial,
      l.host.state,
      l.host.userDataSha256,
      l.host.mediaSha256,
      l.mediaPath ? path.basename(l.mediaPath) : '',
      l.target,
      l.driveSerial,
      l.verified === undefined ? '' : l.verified ? 'yes' : 'no',
      l.pxeBootedAt,
      l.registration,
      l.paletteUid,
      l.label ? path.basename(l.label) : '',
      l.startedAt,
      l.finishedAt,
      l.failure?.step,
      l.failure?.code,
      l.failure?.message,
      l.failure?.hint,
    ]),
  );
}

const esc = (s: unknown): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const short = (h?: string) => (h ? `<code title="${esc(h)}">${esc(h.slice(0, 12))}</code>` : '');
const badge = (state: string) => `<span class="b b-${esc(state)}">${esc(state)}</span>`;

const CSS = `
body{font:13px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:22px 0 8px;border-bottom:1px solid #d9dee6;padding-bottom:3px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d9dee6;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}code{font:11px ui-monospace,monospace}.meta td:first-child{width:180px;color:#5d6778}
.b{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;border:1px solid #bbb}.b-done,.b-registered,.b-yes{background:#e8f5e9;border-color:#2e7d32}
.b-failed,.b-no{background:#fdecea;border-color:#c62828}.b-partial,.b-queued,.b-skipped,.b-pending,.b-interrupted,.b-cancelled{background:#fff4e5;border-color:#b26a00}
.fail{border-left:4px solid #c62828;padding:4px 8px;margin:6px 0;background:#fff8f7}.muted{color:#5d6778}.summary span{margin-right:16px}
@media print{body{margin:10mm;font-size:10px}h2{break-after:avoid}tr,.fail{break-inside:avoid}thead{display:table-header-group}a{color:inherit;text-decoration:none}
@page{size:A4 landscape;margin:10mm}}`;

function htmlReport(
  d: RunDetail,
  lines: HostLine[],
  timeline: Array<{ time: string; hostId?: string; step?: string; kind: string; message: string }>,
): string {
  const failures = lines.filter((l) => l.failure);
  const reg = (l: HostLine) =>
    l.registration ? badge(l.registration) + (l.paletteUid ? ` <code>${esc(l.paletteUid)}</code>` : '') : '';
  const deliver = (l: HostLine) =>
    l.host.delivery === 'usb'
      ? l.target
        ? `${esc(l.target)}${l.driveSerial ? ` (${esc(l.driveSerial)})` : ''} ${l.verified ? badge('verified') : ''}`
        : esc(stepOf(l.host, 'deliver')?.message ?? '')
      : l.pxeBootedAt
        ? `PXE boot ${esc(l.pxeBootedAt)}`
        : esc(stepOf(l.host, 'deliver')?.message ?? '');
  const o = d.options;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Staging report ${esc(d.id)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head><body>
<h1>Staging report: ${esc(d.fileName)}</h1>
<div class="summary"><span>Run <code>${esc(d.id)}</code></span><span>${badge(d.state)}</span><span><b>${d.counts.done}</b> of ${d.counts.total} hosts staged</span><span><b>${d.counts.failed}</b> failed</span><span>Generated ${esc(new Date().toISOString())}</span></div>
<h2>Run</h2><table class="meta"><tbody>
<tr><td>Manifest</td><td>${esc(d.fileName)} (sha256 <code>${esc(d.manifestSha256)}</code>)</td></tr>
<tr><td>Created / started / finished</td><td>${esc(d.createdAt)} / ${esc(d.startedAt ?? '-')} / ${esc(d.finishedAt ?? '-')}</td></tr>
<tr><td>Base image</td><td>${esc(o.image ?? '-')}</td></tr><tr><td>Media mode</td><td>${esc(o.mediaMode)}</td></tr>
<tr><td>Target drives</td><td>${esc(o.targets.join(', ') || '-')}</td></tr>
${d.error ? `<tr><td>Run error</td><td>${esc(d.error.code)}: ${esc(d.error.message)}</td></tr>` : ''}
</tbody></table>
<h2>Failures (${failures.length})</h2>
${failures.length ? failures.map((l) => `<div class="fail"><b>${esc(l.host.hostId)}</b> at step <b>${esc(l.failure!.step)}</b>: <code>${esc(l.failure!.code)}</code> ${esc(l.failure!.title)}: ${esc(l.failure!.message)}<br><span class="muted">What to do: ${esc(l.failure!.hint)}</span></div>`).join('\n') : '<p class="muted">None.</p>'}
<h2>Media (${d.media.length})</h2>
<table><thead><tr><th>Kind</th><th>File</th><th>SHA-256</th><th>Size</th><th>Hosts</th></tr></thead><tbody>
${d.media.map((m) => `<tr><td>${esc(m.kind)}</td><td>${esc(path.basename(m.path))}</td><td><code>${esc(m.sha256)}</code></td><td>${m.size}</td><td>${m.hosts.length}</td></tr>`).join('\n')}
</tbody></table>
<h2>Hosts (${lines.length})</h2>
<table><thead><tr><th>#</th><th>Host ID</th><th>Site</th><th>Profile</th><th>MAC / serial</th><th>State</th><th>User-data</th><th>Media</th><th>Delivery</th><th>Palette</th><th>Label</th><th>Started</th><th>Finished</th></tr></thead><tbody>
${lines
  .map(
    (l) =>
      `<tr data-host="${esc(l.host.hostId)}"><td>${l.host.index + 1}</td><td><b>${esc(l.host.hostId)}</b></td><td>${esc(l.host.site)}</td><td>${esc(l.host.profile)}</td><td>${esc(l.host.mac ?? '')}<br>${esc(l.host.serial ?? '')}</td><td>${badge(l.host.state)}</td><td>${short(l.host.userDataSha256)}</td><td>${short(l.host.mediaSha256)}</td><td>${esc(l.host.delivery)}: ${deliver(l)}</td><td>${reg(l)}</td><td>${l.label ? esc(path.basename(l.label)) : ''}</td><td>${esc(l.startedAt ?? '')}</td><td>${esc(l.finishedAt ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Steps per host</h2>
<table><thead><tr><th>Host ID</th><th>Step</th><th>State</th><th>Attempts</th><th>Started</th><th>Finished</th><th>Detail</th></tr></thead><tbody>
${lines.flatMap((l) => l.host.steps.map((s) => `<tr><td>${esc(l.host.hostId)}</td><td>${esc(s.step)}</td><td>${badge(s.state)}</td><td>${s.attempts}</td><td>${esc(s.startedAt ?? '')}</td><td>${esc(s.finishedAt ?? '')}</td><td>${esc(s.error ? `${s.error.code}: ${s.error.message}` : (s.message ?? ''))}</td></tr>`)).join('\n')}
</tbody></table>
<h2>Run timeline</h2>
<table><thead><tr><th>Time</th><th>Event</th></tr></thead><tbody>
${timeline
  .filter((t) => !t.hostId)
  .map((t) => `<tr><td>${esc(t.time)}</td><td>${esc(t.kind)}: ${esc(t.message)}</td></tr>`)
  .join('\n')}
</tbody></table>
<p class="muted">Produced by Edgebench. User-data is identified by its SHA-256; its content (which may hold tokens) is not part of this report.</p>
</body></html>
`;
}

export async function renderReport(
  store: Store,
  runId: string,
  format: ReportFormat,
  secrets: Array<string | undefined> = [],
): Promise<string> {
  const d = await runDetail(store, runId);
  const lines = d.hosts.map(hostLine);
  const timeline = await store.staging.timeline(runId);
  let text: string;
  if (format === 'csv') text = csvReport(d, lines);
  else if (format === 'json')
    text =
      JSON.stringify(
        {
          generatedAt: new Date().toISOString(),
          run: { ...d, hosts: undefined },
          hosts: d.hosts,
          failures: lines.filter((l) => l.failure).map((l) => ({ hostId: l.host.hostId, ...l.failure })),
          timeline: timeline
            .filter((t) => !t.hostId)
            .map((t) => ({ time: t.time, kind: t.kind, message: t.message })),
        },
        null,
        2,
      ) + '\n';
  else text = htmlReport(d, lines, timeline);
  return redactSecrets(text, secrets);
}
