// The wizard's structured form and its mapping to and from user-data YAML. fromForm merges the
// form into the existing text, so unknown keys, comments and key order survive; fields left
// empty remove their key.
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { convertFlatNetworkInDoc } from './network-convert';
import { analyzeUserData, maskPlaceholders } from './validate';
import { deleteValue, editUserData, hasKey, mapAt, setValue, unmaskPlaceholders } from './yaml-edit';
import { parseYaml, type PathSeg } from './yaml-doc';

const s = z.string().default('');

export const WizardUser = z.object({
  name: z.string().default('kairos'),
  passwd: s,
  groups: z.array(z.string()).default([]),
  sshKeys: z.array(z.string()).default([]),
  lockPasswd: z.boolean().default(false),
});
export type WizardUser = z.infer<typeof WizardUser>;

export const WizardForm = z.object({
  managementMode: z.enum(['central', 'local']).default('central'),
  paletteEndpoint: s,
  projectName: s,
  projectUid: s,
  registration: z.enum(['token', 'qr']).default('token'),
  edgeHostToken: s,
  registrationURL: s,
  insecureSkipVerify: z.boolean().default(false),
  edgeHostId: s,
  hostName: s,
  network: z
    .object({
      mode: z.enum(['none', 'dhcp', 'static']).default('none'),
      nic: z.string().default('eth0'),
      ipAddress: s,
      mask: s,
      gateway: s,
      nameserver: s,
    })
    .prefault({}),
  proxy: z.object({ httpProxy: s, httpsProxy: s, noProxy: s }).prefault({}),
  users: z.array(WizardUser).default([]),
  caCerts: z.array(z.string()).default([]),
  debug: z.boolean().default(false),
});
export type WizardForm = z.infer<typeof WizardForm>;
export type WizardFormInput = z.input<typeof WizardForm>;

export const emptyForm = (): WizardForm => WizardForm.parse({});

const SITE = ['stylus', 'site'];
const NET = [...SITE, 'network'];
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) =>
  typeof v === 'string' ? unmaskPlaceholders(v) : typeof v === 'number' ? String(v) : '';
const strings = (v: unknown) => (Array.isArray(v) ? v.map(text).filter(Boolean) : []);

/** The step in stages.initramfs whose `users` map the wizard edits. */
function usersStepIndex(data: Obj): number {
  const steps = isObj(data.stages) && Array.isArray(data.stages.initramfs) ? data.stages.initramfs : [];
  return steps.findIndex((st) => isObj(st) && isObj(st.users));
}

/** Read the wizard's fields from user-data text (what it cannot show stays in the raw YAML). */
export function toForm(yamlText: string): WizardForm {
  const parsed = parseYaml(maskPlaceholders(yamlText));
  let raw: unknown;
  try {
    raw = parsed.doc.errors.length ? {} : parsed.doc.toJS({ maxAliasCount: 1000 });
  } catch {
    raw = {}; // alias bombs: the validation reports them; the form stays empty
  }
  const data: Obj = isObj(raw) ? raw : {};
  const stylus = isObj(data.stylus) ? data.stylus : {};
  const site = isObj(stylus.site) ? stylus.site : {};
  const net = isObj(site.network) ? site.network : {};
  const ifaces = isObj(net.interfaces) ? net.interfaces : {};
  const flat = ['type', 'ipAddress', 'gateway', 'mask'].some((k) => k in net);
  const [nicName, nic] =
    Object.entries(ifaces).find(([, v]) => isObj(v)) ?? (flat ? ['eth0', net] : ['eth0', undefined]);
  const n: Obj = isObj(nic) ? nic : {};
  const idx = usersStepIndex(data);
  const users = idx >= 0 ? ((data.stages as Obj).initramfs as Obj[])[idx].users : {};
  const form = WizardForm.parse({
    managementMode: stylus.managementMode === 'local' ? 'local' : 'central',
    paletteEndpoint: text(site.paletteEndpoint),
    projectName: text(site.projectName),
    projectUid: text(site.projectUid),
    registration: site.registrationURL && !site.edgeHostToken ? 'qr' : 'token',
    edgeHostToken: text(site.edgeHostToken),
    registrationURL: text(site.registrationURL),
    insecureSkipVerify: site.insecureSkipVerify === true,
    edgeHostId: text(site.name),
    hostName: text(site.hostName),
    network: {
      mode: !isObj(nic) ? 'none' : n.type === 'static' ? 'static' : 'dhcp',
      nic: nicName,
      ipAddress: text(n.ipAddress),
      mask: text(n.mask),
      gateway: text(n.gateway),
      nameserver: text(n.nameserver),
    },
    proxy: { httpProxy: text(net.httpProxy), httpsProxy: text(net.httpsProxy), noProxy: text(net.noProxy) },
    users: Object.entries(isObj(users) ? users : {}).map(([name, u]) => {
      const user: Obj = isObj(u) ? u : {};
      return {
        name,
        passwd: text(user.passwd),
        groups: strings(user.groups),
        sshKeys: strings(user.ssh_authorized_keys),
        lockPasswd: user.lock_passwd === true,
      };
    }),
    caCerts: strings(site.caCerts),
    debug: stylus.debug === true,
  });
  return form;
}

function setText(doc: Document, path: PathSeg[], v: string, keepDepth = 0) {
  if (v.trim()) setValue(doc, path, v.trim());
  else deleteValue(doc, path, keepDepth);
}
function setFlag(doc: Document, path: PathSeg[], v: boolean) {
  if (v || hasKey(doc, path)) setValue(doc, path, v);
}
function setList(doc: Document, path: PathSeg[], v: string[]) {
  const items = v.map((x) => x.trim()).filter(Boolean);
  if (items.length) setValue(doc, path, items);
  else deleteValue(doc, path);
}

/** Merge the form into `yamlText` and return the new text. */
export function fromForm(yamlText: string, input: WizardFormInput): string {
  const f = WizardForm.parse(input);
  return editUserData(yamlText, (doc) => {
    convertFlatNetworkInDoc(doc, f.network.nic || 'eth0');
    if (f.managementMode === 'local' || hasKey(doc, ['stylus', 'managementMode']))
      setValue(doc, ['stylus', 'managementMode'], f.managementMode);
    setFlag(doc, ['stylus', 'debug'], f.debug);
    setText(doc, [...SITE, 'paletteEndpoint'], f.paletteEndpoint);
    setText(doc, [...SITE, 'edgeHostToken'], f.edgeHostToken);
    setText(doc, [...SITE, 'registrationURL'], f.registrationURL);
    setText(doc, [...SITE, 'projectName'], f.projectName);
    setText(doc, [...SITE, 'projectUid'], f.projectUid);
    setFlag(doc, [...SITE, 'insecureSkipVerify'], f.insecureSkipVerify);
    setText(doc, [...SITE, 'name'], f.edgeHostId);
    setText(doc, [...SITE, 'hostName'], f.hostName);
    setList(doc, [...SITE, 'caCerts'], f.caCerts);
    setText(doc, [...NET, 'httpProxy'], f.proxy.httpProxy);
    setText(doc, [...NET, 'httpsProxy'], f.proxy.httpsProxy);
    setText(doc, [...NET, 'noProxy'], f.proxy.noProxy);
    writeNetwork(doc, f);
    writeUsers(doc, f.users);
  });
}

function writeNetwork(doc: Document, f: WizardForm) {
  const nicName = f.network.nic.trim() || 'eth0';
  const ifaces = mapAt(doc, [...NET, 'interfaces']);
  // A renamed NIC: the one existing interface takes the new name (its comments come along).
  if (ifaces && !ifaces.has(nicName) && ifaces.items.length === 1 && isScalar(ifaces.items[0].key))
    ifaces.items[0].key.value = nicName;
  const P = [...NET, 'interfaces', nicName];
  if (f.network.mode === 'none') {
    deleteValue(doc, P);
    return;
  }
  setValue(doc, [...P, 'type'], f.network.mode);
  if (f.network.mode === 'static') {
    setText(doc, [...P, 'ipAddress'], f.network.ipAddress, P.length);
    setText(doc, [...P, 'mask'], f.network.mask, P.length);
    setText(doc, [...P, 'gateway'], f.network.gateway, P.length);
  } else {
    for (const k of ['ipAddress', 'mask', 'gateway']) deleteValue(doc, [...P, k], P.length);
  }
  setText(doc, [...P, 'nameserver'], f.network.nameserver, P.length);
}

function writeUsers(doc: Document, users: WizardUser[]) {
  const steps = doc.getIn(['stages', 'initramfs'], true);
  let idx = isSeq(steps) ? steps.items.findIndex((st) => isMap(st) && isMap(st.get('users', true))) : -1;
  if (idx < 0) {
    if (!users.length) return;
    const step = doc.createNode({ name: 'Create users', users: {} });
    if (isSeq(steps)) {
      steps.items.push(step);
      idx = steps.items.length - 1;
    } else {
      setValue(doc, ['stages', 'initramfs'], []);
      (doc.getIn(['stages', 'initramfs'], true) as { items: unknown[] }).items.push(step);
      idx = 0;
    }
  }
  const UP = ['stages', 'initramfs', idx, 'users'];
  const map = doc.getIn(UP, true) as YAMLMap;
  const names = new Set(users.map((u) => u.name.trim()).filter(Boolean));
  map.items = map.items.filter((p) => isScalar(p.key) && names.has(String(p.key.value)));
  for (const u of users) {
    const name = u.name.trim();
    if (!name) continue;
    const P = [...UP, name];
    if (!map.has(name)) map.set(name, doc.createNode({}));
    setText(doc, [...P, 'passwd'], u.passwd, P.length);
    setList(doc, [...P, 'groups'], u.groups);
    setList(doc, [...P, 'ssh_authorized_keys'], u.sshKeys);
    setFlag(doc, [...P, 'lock_passwd'], u.lockPasswd);
  }
}

/** Wizard field names (the form's dotted paths) for a diagnostic's key path. */
export function fieldForPath(path: string, form: WizardForm): string | undefined {
  const p = path.split('.');
  const site = 'stylus.site.';
  const direct: Record<string, string> = {
    'stylus.managementMode': 'managementMode',
    [`${site}paletteEndpoint`]: 'paletteEndpoint',
    [`${site}edgeHostToken`]: form.registration === 'qr' ? 'registrationURL' : 'edgeHostToken',
    [`${site}registrationURL`]: 'registrationURL',
    [`${site}projectName`]: 'projectName',
    [`${site}projectUid`]: 'projectUid',
    [`${site}name`]: 'edgeHostId',
    [`${site}hostName`]: 'hostName',
    [`${site}network.httpProxy`]: 'proxy.httpProxy',
    [`${site}network.httpsProxy`]: 'proxy.httpsProxy',
    [`${site}network.noProxy`]: 'proxy.noProxy',
  };
  if (direct[path]) return direct[path];
  if (path.startsWith(`${site}caCerts.`)) return `caCerts.${p[3]}`;
  const nicKeys = ['ipAddress', 'mask', 'gateway', 'nameserver', 'type'];
  if (path.startsWith(`${site}network.interfaces.${form.network.nic}`)) {
    const k = p[5];
    return k && nicKeys.includes(k) ? `network.${k === 'type' ? 'mode' : k}` : 'network.nic';
  }
  if (p.length === 4 && path.startsWith(`${site}network.`) && nicKeys.includes(p[3]))
    return `network.${p[3]}`;
  if (p[0] === 'stages' && p[3] === 'users' && p[4]) {
    const i = form.users.findIndex((u) => u.name === p[4]);
    if (i < 0) return undefined;
    const k = p[5] === 'ssh_authorized_keys' ? 'sshKeys' : p[5] === 'lock_passwd' ? 'lockPasswd' : p[5];
    return k ? `users.${i}.${k}` : `users.${i}.name`;
  }
  return undefined;
}

/** Convenience for the UI and handlers: merge, then validate the result. */
export function fromFormWithReport(yamlText: string, input: WizardFormInput) {
  const out = fromForm(yamlText, input);
  return { text: out, report: analyzeUserData(out).report };
}
