// The wizard's sections: Palette connection, site network, users and SSH keys, advanced.
import type { ReactNode } from 'react';
import type { WizardForm, WizardUser } from '../../../../shared/userdata/form';
import { Field } from '../../ui/components';
import { fieldId } from './useUserDataEditor';

interface Props {
  form: WizardForm;
  onChange(next: WizardForm): void;
  messages: Record<string, string>;
}

type Edit = (f: WizardForm) => void;
function useEdit(form: WizardForm, onChange: (f: WizardForm) => void) {
  return (fn: Edit) => {
    const next = structuredClone(form);
    fn(next);
    onChange(next);
  };
}

function TextField(props: {
  field: string;
  label: string;
  value: string;
  onValue(v: string): void;
  messages: Record<string, string>;
  hint?: string;
  placeholder?: string;
  type?: string;
  autoComplete?: string;
}) {
  const id = fieldId(props.field);
  const found = props.messages[props.field];
  // Warnings show as a hint (not red); errors as the field's inline error.
  const isWarning = !!found && found.startsWith('Warning');
  const msg = isWarning ? undefined : found;
  return (
    <Field label={props.label} htmlFor={id} error={msg} hint={isWarning ? found : props.hint}>
      <input
        id={id}
        name={props.field}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        spellCheck={false}
        aria-invalid={msg ? true : undefined}
        aria-describedby={msg ? `${id}-error` : undefined}
        onChange={(e) => props.onValue(e.target.value)}
      />
    </Field>
  );
}

function Step({
  id,
  title,
  count,
  children,
}: {
  id: string;
  title: string;
  count: number;
  children: ReactNode;
}) {
  return (
    <section className="panel ud-step" id={id} aria-labelledby={`${id}-title`}>
      <header className="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {count > 0 && <span className="badge fail">{count} to fix</span>}
      </header>
      {children}
    </section>
  );
}

const countFor = (messages: Record<string, string>, prefixes: string[]) =>
  Object.entries(messages).filter(
    ([k, m]) => !m.startsWith('Warning') && prefixes.some((p) => k === p || k.startsWith(p + '.')),
  ).length;

export const STEP_FIELDS: Record<string, string[]> = {
  'ud-step-connection': [
    'managementMode',
    'paletteEndpoint',
    'projectName',
    'projectUid',
    'edgeHostToken',
    'registrationURL',
    'edgeHostId',
    'hostName',
  ],
  'ud-step-network': ['network'],
  'ud-step-users': ['users'],
  'ud-step-advanced': ['proxy', 'caCerts'],
};

export function ConnectionSection({ form, onChange, messages }: Props) {
  const edit = useEdit(form, onChange);
  return (
    <Step
      id="ud-step-connection"
      title="1. Palette connection"
      count={countFor(messages, STEP_FIELDS['ud-step-connection'])}
    >
      <div className="field">
        <label htmlFor="ud-managementMode">Management</label>
        <select
          id="ud-managementMode"
          value={form.managementMode}
          onChange={(e) =>
            edit((f) => void (f.managementMode = e.target.value as WizardForm['managementMode']))
          }
        >
          <option value="central">Central: managed from Palette</option>
          <option value="local">Local: managed on site (no Palette connection)</option>
        </select>
      </div>
      <div className="grid-2">
        <TextField
          field="paletteEndpoint"
          label="Palette endpoint"
          value={form.paletteEndpoint}
          messages={messages}
          placeholder="api.spectrocloud.com"
          hint="Host name only, no https://"
          onValue={(v) => edit((f) => void (f.paletteEndpoint = v))}
        />
        <TextField
          field="projectName"
          label="Project name"
          value={form.projectName}
          messages={messages}
          placeholder="Default"
          onValue={(v) => edit((f) => void (f.projectName = v))}
        />
      </div>
      <TextField
        field="projectUid"
        label="Project UID (optional)"
        value={form.projectUid}
        messages={messages}
        hint="Needed only when the token has no default project"
        onValue={(v) => edit((f) => void (f.projectUid = v))}
      />
      <fieldset className="ud-choice">
        <legend>Registration</legend>
        <label>
          <input
            type="radio"
            id="ud-registration-token"
            name="ud-registration"
            checked={form.registration === 'token'}
            onChange={() =>
              edit((f) => {
                f.registration = 'token';
                f.registrationURL = '';
              })
            }
          />{' '}
          Auto-registration token
        </label>
        <label>
          <input
            type="radio"
            id="ud-registration-qr"
            name="ud-registration"
            checked={form.registration === 'qr'}
            onChange={() =>
              edit((f) => {
                f.registration = 'qr';
                f.edgeHostToken = '';
              })
            }
          />{' '}
          QR code registration app
        </label>
      </fieldset>
      {form.registration === 'token' ? (
        <TextField
          field="edgeHostToken"
          label="Edge host token"
          value={form.edgeHostToken}
          messages={messages}
          onValue={(v) => edit((f) => void (f.edgeHostToken = v))}
        />
      ) : (
        <TextField
          field="registrationURL"
          label="Registration app URL"
          value={form.registrationURL}
          messages={messages}
          placeholder="https://edge-registration.example.com"
          onValue={(v) => edit((f) => void (f.registrationURL = v))}
        />
      )}
      <div className="grid-2">
        <TextField
          field="edgeHostId"
          label="Edge host ID (optional)"
          value={form.edgeHostId}
          messages={messages}
          hint="Default: from the hardware serial. Profiles may use {{host.id}}"
          onValue={(v) => edit((f) => void (f.edgeHostId = v))}
        />
        <TextField
          field="hostName"
          label="Host name (optional)"
          value={form.hostName}
          messages={messages}
          onValue={(v) => edit((f) => void (f.hostName = v))}
        />
      </div>
      <label className="ud-check">
        <input
          id="ud-insecureSkipVerify"
          type="checkbox"
          checked={form.insecureSkipVerify}
          onChange={(e) => edit((f) => void (f.insecureSkipVerify = e.target.checked))}
        />{' '}
        Skip TLS verification of the endpoint (lab only)
      </label>
    </Step>
  );
}

export function NetworkSection({ form, onChange, messages }: Props) {
  const edit = useEdit(form, onChange);
  const n = form.network;
  const set = (k: 'ipAddress' | 'mask' | 'gateway' | 'nameserver' | 'nic') => (v: string) =>
    edit((f) => void (f.network[k] = v));
  return (
    <Step
      id="ud-step-network"
      title="2. Site network"
      count={countFor(messages, STEP_FIELDS['ud-step-network'])}
    >
      <fieldset className="ud-choice">
        <legend>Addressing</legend>
        {(['none', 'dhcp', 'static'] as const).map((m) => (
          <label key={m}>
            <input
              type="radio"
              id={`ud-network-mode-${m}`}
              name="ud-network-mode"
              checked={n.mode === m}
              onChange={() => edit((f) => void (f.network.mode = m))}
            />{' '}
            {m === 'none' ? 'Not set (installer default)' : m === 'dhcp' ? 'DHCP' : 'Static'}
          </label>
        ))}
      </fieldset>
      {messages['network.mode'] && (
        <div className="field-error" role="alert">
          {messages['network.mode']}
        </div>
      )}
      {n.mode !== 'none' && (
        <TextField
          field="network.nic"
          label="Interface (NIC) name"
          value={n.nic}
          messages={messages}
          placeholder="eth0"
          onValue={set('nic')}
        />
      )}
      {n.mode === 'static' && (
        <>
          <div className="grid-2">
            <TextField
              field="network.ipAddress"
              label="IP address"
              value={n.ipAddress}
              messages={messages}
              placeholder="10.0.10.25/24"
              hint="Optionally with /prefix"
              onValue={set('ipAddress')}
            />
            <TextField
              field="network.mask"
              label="Subnet mask"
              value={n.mask}
              messages={messages}
              placeholder="255.255.255.0"
              hint="Not needed with a /prefix"
              onValue={set('mask')}
            />
          </div>
          <div className="grid-2">
            <TextField
              field="network.gateway"
              label="Gateway"
              value={n.gateway}
              messages={messages}
              placeholder="10.0.10.1"
              onValue={set('gateway')}
            />
            <TextField
              field="network.nameserver"
              label="DNS server"
              value={n.nameserver}
              messages={messages}
              placeholder="10.0.10.1"
              onValue={set('nameserver')}
            />
          </div>
        </>
      )}
    </Step>
  );
}

export function UsersSection({ form, onChange, messages }: Props) {
  const edit = useEdit(form, onChange);
  const setUser = (i: number, fn: (u: WizardUser) => void) => edit((f) => fn(f.users[i]));
  return (
    <Step
      id="ud-step-users"
      title="3. Users and SSH keys"
      count={countFor(messages, STEP_FIELDS['ud-step-users'])}
    >
      {form.users.length === 0 && (
        <p className="muted">No users: the installer creates none. Add one to log in on the host.</p>
      )}
      {form.users.map((u, i) => (
        <div className="ud-user" key={i} role="group" aria-label={`User ${u.name || i + 1}`}>
          <div className="grid-2">
            <TextField
              field={`users.${i}.name`}
              label="User name"
              value={u.name}
              messages={messages}
              onValue={(v) => setUser(i, (x) => void (x.name = v))}
            />
            <TextField
              field={`users.${i}.passwd`}
              label="Password"
              type="password"
              autoComplete="new-password"
              value={u.passwd}
              messages={messages}
              hint="Hashed (SHA-512) when saved or rendered"
              onValue={(v) => setUser(i, (x) => void (x.passwd = v))}
            />
          </div>
          <TextField
            field={`users.${i}.groups`}
            label="Groups (comma separated)"
            value={u.groups.join(', ')}
            messages={messages}
            placeholder="sudo"
            onValue={(v) => setUser(i, (x) => void (x.groups = v.split(',').map((g) => g.trim())))}
          />
          <Field
            label="SSH public keys (one per line)"
            htmlFor={`ud-users-${i}-sshKeys`}
            error={messages[`users.${i}.sshKeys`]}
          >
            <textarea
              id={`ud-users-${i}-sshKeys`}
              rows={3}
              spellCheck={false}
              value={u.sshKeys.join('\n')}
              placeholder="ssh-ed25519 AAAA... tech@laptop"
              onChange={(e) => setUser(i, (x) => void (x.sshKeys = e.target.value.split('\n')))}
            />
          </Field>
          <div className="row">
            <label className="ud-check">
              <input
                id={`ud-users-${i}-lockPasswd`}
                type="checkbox"
                checked={u.lockPasswd}
                onChange={(e) => setUser(i, (x) => void (x.lockPasswd = e.target.checked))}
              />{' '}
              Lock password (SSH keys only)
            </label>
            <button
              type="button"
              className="danger"
              id={`ud-users-${i}-remove`}
              onClick={() => edit((f) => void f.users.splice(i, 1))}
            >
              Remove user {u.name}
            </button>
          </div>
        </div>
      ))}
      <button
        type="button"
        id="ud-users-add"
        onClick={() =>
          edit(
            (f) =>
              void f.users.push({
                name: f.users.length ? `user${f.users.length + 1}` : 'kairos',
                passwd: '',
                groups: ['sudo'],
                sshKeys: [],
                lockPasswd: false,
              }),
          )
        }
      >
        Add user
      </button>
    </Step>
  );
}

export function AdvancedSection({ form, onChange, messages, raw }: Props & { raw: ReactNode }) {
  const edit = useEdit(form, onChange);
  const p = form.proxy;
  return (
    <Step
      id="ud-step-advanced"
      title="4. Advanced"
      count={countFor(messages, STEP_FIELDS['ud-step-advanced'])}
    >
      <div className="grid-2">
        <TextField
          field="proxy.httpProxy"
          label="HTTP proxy"
          value={p.httpProxy}
          messages={messages}
          placeholder="http://proxy:3128"
          onValue={(v) => edit((f) => void (f.proxy.httpProxy = v))}
        />
        <TextField
          field="proxy.httpsProxy"
          label="HTTPS proxy"
          value={p.httpsProxy}
          messages={messages}
          placeholder="http://proxy:3128"
          onValue={(v) => edit((f) => void (f.proxy.httpsProxy = v))}
        />
      </div>
      <TextField
        field="proxy.noProxy"
        label="No proxy for"
        value={p.noProxy}
        messages={messages}
        placeholder="10.0.0.0/8,.corp.example"
        onValue={(v) => edit((f) => void (f.proxy.noProxy = v))}
      />
      <h3 className="ud-sub">CA certificates</h3>
      {form.caCerts.map((c, i) => (
        <Field
          key={i}
          label={`Certificate ${i + 1} (PEM or base64)`}
          htmlFor={`ud-caCerts-${i}`}
          error={messages[`caCerts.${i}`]}
        >
          <textarea
            id={`ud-caCerts-${i}`}
            rows={4}
            spellCheck={false}
            value={c}
            onChange={(e) => edit((f) => void (f.caCerts[i] = e.target.value))}
          />
          <button type="button" className="link" onClick={() => edit((f) => void f.caCerts.splice(i, 1))}>
            Remove certificate {i + 1}
          </button>
        </Field>
      ))}
      <button type="button" id="ud-caCerts-add" onClick={() => edit((f) => void f.caCerts.push(''))}>
        Add CA certificate
      </button>
      <label className="ud-check">
        <input
          id="ud-debug"
          type="checkbox"
          checked={form.debug}
          onChange={(e) => edit((f) => void (f.debug = e.target.checked))}
        />{' '}
        Debug logging on the host
      </label>
      {raw}
    </Step>
  );
}
