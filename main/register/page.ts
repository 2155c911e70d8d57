// The self-hosted registration page (served by `edgebench serve` at /register): plain
// server-rendered HTML with a form POST, no script, so it works under the strict CSP and on any
// phone. A site PIN protects each site; failed PINs are limited per client and site.
import type { Site } from '../../shared/contract/register';

export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f3f5f8;color:#17202a}
main{max-width:480px;margin:0 auto;padding:16px}h1{font-size:1.35rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:12px;padding:16px;margin-bottom:14px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.id{font-family:ui-monospace,monospace;font-size:1.05rem;word-break:break-all;background:#eef2f7;padding:8px 10px;border-radius:8px}
label.site{display:flex;gap:12px;align-items:flex-start;padding:12px;border:1px solid #d5dbe3;border-radius:10px;margin:8px 0;cursor:pointer}
label.site input{margin-top:4px;width:22px;height:22px}.muted{color:#5b6775;font-size:.9rem}
.field{display:block;margin:12px 0 4px;font-weight:600}input[type=password],input[type=text]{width:100%;font-size:1.1rem;padding:12px;border:1px solid #b9c2cd;border-radius:10px}
button{width:100%;font-size:1.1rem;padding:14px;border:0;border-radius:10px;background:#1f6feb;color:#fff;font-weight:600;margin-top:14px}
.ok{border-left:6px solid #1a7f37}.fail{border-left:6px solid #cf222e}.warn{border-left:6px solid #bf8700}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>${esc(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`;
}

export function formPage(opts: { uid: string; sites: Site[]; error?: string; chosen?: string }): string {
  const { uid, sites } = opts;
  const err = opts.error ? `<div class="card fail" role="alert">${esc(opts.error)}</div>` : '';
  if (!sites.length)
    return layout(
      'Register edge host',
      `<h1>Register edge host</h1><div class="card">Host ID<div class="id">${esc(uid)}</div></div>${err}<div class="card warn">No site accepts registrations from this page yet: a site needs a PIN (<code>edgebench site add NAME --pin ...</code>).</div>`,
    );
  const radios = sites
    .map((s, i) => {
      const checked = opts.chosen ? opts.chosen === s.name : i === 0;
      const infra = s.profiles.infrastructure;
      const desc = [
        s.location,
        infra ? [infra.os, infra.k8s, infra.cni].filter(Boolean).join(' / ') : undefined,
      ]
        .filter(Boolean)
        .join(' · ');
      return `<label class="site"><input type="radio" name="site" value="${esc(s.name)}"${checked ? ' checked' : ''} required><span><strong>${esc(s.name)}</strong><br><span class="muted">${esc(desc || 'no location set')}</span></span></label>`;
    })
    .join('');
  return layout(
    'Register edge host',
    `<h1>Register edge host</h1>
<form method="post" action="/register" autocomplete="off">
<div class="card">Host ID<div class="id" id="uid">${esc(uid)}</div><input type="hidden" name="uid" value="${esc(uid)}"></div>
${err}
<div class="card"><span class="field">Site</span>${radios}
<label class="field" for="pin">Site PIN</label><input id="pin" name="pin" type="password" inputmode="text" required minlength="4" maxlength="128">
<button type="submit" id="submit">Register</button></div>
</form>`,
  );
}

export function resultPage(opts: {
  uid: string;
  site: string;
  kind: 'ok' | 'warn' | 'fail';
  title: string;
  lines: string[];
}): string {
  return layout(
    opts.title,
    `<h1>${esc(opts.title)}</h1><div class="card ${opts.kind}" id="result" data-state="${opts.kind}">
<div class="id">${esc(opts.uid)}</div><p>Site: <strong>${esc(opts.site)}</strong></p>${opts.lines.map((l) => `<p>${esc(l)}</p>`).join('')}</div>
<p class="muted"><a href="/register?uid=${encodeURIComponent(opts.uid)}">Back</a></p>`,
  );
}

/** Failed-PIN limiting: per client address and site, `max` failures per window, then locked. */
export class AttemptLimiter {
  private readonly fails = new Map<string, number[]>();
  constructor(
    private readonly max = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}
  private recent(key: string, now: number): number[] {
    const list = (this.fails.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.fails.set(key, list);
    return list;
  }
  blocked(key: string, now = Date.now()): number | undefined {
    const list = this.recent(key, now);
    return list.length >= this.max ? Math.ceil((list[0] + this.windowMs - now) / 1000) : undefined;
  }
  fail(key: string, now = Date.now()): void {
    this.recent(key, now).push(now);
  }
  reset(key: string): void {
    this.fails.delete(key);
  }
}
