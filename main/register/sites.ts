// Sites: where hosts go. A site names its cluster profiles, the control-plane endpoint (VIP or
// DDNS), node roles and tags, and may carry a PIN for the self-hosted registration page (stored
// as a salted scrypt hash, compared in constant time).
import crypto from 'node:crypto';
import { Site, SiteInput } from '../../shared/contract/register';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';
import { zodIssues } from '../api/dispatch';

export function hashPin(pin: string): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(pin, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPin(stored: string | undefined, pin: string): boolean {
  const fake = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
  const [alg, saltB64, keyB64] = (stored ?? fake).split('$');
  if (alg !== 'scrypt' || !saltB64 || !keyB64) return false;
  const want = Buffer.from(keyB64, 'base64');
  const got = crypto.scryptSync(pin, Buffer.from(saltB64, 'base64'), want.length);
  return crypto.timingSafeEqual(want, got) && stored !== undefined;
}

/** Checks a site that zod accepted for rules across fields. */
export function siteProblems(s: Site): string[] {
  const p: string[] = [];
  if (s.endpoint.type === 'VIP' && !s.endpoint.host && !s.overlayCidr)
    p.push(
      'a VIP endpoint needs an address (--vip IP), or an overlay network CIDR whose first address becomes the VIP',
    );
  if (
    s.endpoint.type === 'VIP' &&
    s.endpoint.host &&
    !/^(\d{1,3}\.){3}\d{1,3}$/.test(s.endpoint.host) &&
    !s.endpoint.host.includes(':')
  )
    p.push(`VIP "${s.endpoint.host}" is not an IP address`);
  if (s.endpoint.type === 'DDNS' && !s.endpoint.host && !s.endpoint.ddnsSearchDomain)
    p.push('a DDNS endpoint needs a host name or a DDNS search domain');
  if (s.overlayCidr && !/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(s.overlayCidr))
    p.push(`overlay CIDR "${s.overlayCidr}" is not a.b.c.d/nn`);
  return p;
}

export async function putSite(app: AppContext, raw: unknown): Promise<Site> {
  const parsed = SiteInput.safeParse(raw);
  if (!parsed.success)
    throw new AppError(
      'EINVALID',
      `the site is not valid: ${zodIssues(parsed.error)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`,
      {
        issues: zodIssues(parsed.error),
      },
    );
  const { pin, ...site } = parsed.data;
  const full = Site.parse({ ...site, hasPin: false });
  const problems = siteProblems(full);
  if (problems.length)
    throw new AppError('EINVALID', `site ${site.name}: ${problems.join('; ')}`, { problems });
  let pinHash: string | null | undefined;
  if (pin !== undefined) {
    if (pin === '') pinHash = null;
    else if (pin.length < 4) throw new AppError('EINVALID', 'a site PIN needs at least 4 characters');
    else pinHash = hashPin(pin);
  }
  const { hasPin: _h, createdAt: _c, updatedAt: _u, ...body } = full;
  void _h;
  void _c;
  void _u;
  const saved = await app.store.register.putSite(body, pinHash);
  app.bus.emit('register.changed', { reason: 'site' });
  return saved;
}

export async function getSite(app: AppContext, name: string): Promise<Site> {
  const s = await app.store.register.getSite(name);
  if (!s) throw new AppError('ENOTFOUND', `no site ${name}; see \`edgebench site list\``);
  return s.site;
}
