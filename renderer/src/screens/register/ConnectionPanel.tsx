// Palette connection: endpoint, project, key (never shown again), CA, insecure, proxy.
import { useState } from 'react';
import { ErrorBox, Field, Section } from '../../ui/components';
import { useAction, useQuery } from '../../ui/hooks';

export function ConnectionPanel({ onChange }: { onChange: () => void }) {
  const status = useQuery('palette.status', {});
  const check = useAction('palette.check');
  const login = useAction('palette.login');
  const logout = useAction('palette.logout');
  const [edit, setEdit] = useState(false);
  const [form, setForm] = useState({
    endpoint: '',
    projectUid: '',
    apiKey: '',
    caPem: '',
    insecure: false,
    proxy: '',
  });
  const s = status.data;
  const set =
    (k: keyof typeof form) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
      setForm({ ...form, [k]: e.target.type === 'checkbox' ? Boolean(e.target.checked) : e.target.value });
  const save = async () => {
    const r = await login.run({
      endpoint: form.endpoint,
      projectUid: form.projectUid || undefined,
      apiKey: form.apiKey,
      caPem: form.caPem || undefined,
      insecure: form.insecure || undefined,
      proxy: form.proxy || undefined,
    });
    if (r) {
      setForm({ ...form, apiKey: '' });
      setEdit(false);
      await status.reload();
      onChange();
    }
  };
  const showForm = edit || (s && !s.configured);
  return (
    <Section
      title="Palette connection"
      actions={
        s?.configured && !showForm ? (
          <>
            <button type="button" onClick={() => void check.run({})} disabled={check.running}>
              Test connection
            </button>
            <button type="button" onClick={() => setEdit(true)}>
              Change
            </button>
            <button
              type="button"
              onClick={async () => {
                await logout.run({});
                await status.reload();
                onChange();
              }}
            >
              Log out
            </button>
          </>
        ) : undefined
      }
    >
      <ErrorBox error={status.error} />
      {s?.configured && !showForm && (
        <div className="row reg-conn" data-testid="palette-connection">
          <span>
            <strong>{s.endpoint}</strong>
          </span>
          <span className="muted">project {s.projectUid ?? '(tenant scope)'}</span>
          <span className="badge">{s.hasCa ? 'custom CA' : 'system CA'}</span>
          {s.insecure && <span className="badge warn">TLS verification off</span>}
          {s.proxy && <span className="badge">proxy {s.proxy}</span>}
          <span className="badge">key in {s.keyStorage}</span>
          {check.result && (
            <span
              className={`badge ${check.result.reachable ? 'ok' : 'fail'}`}
              data-testid="palette-reachable"
            >
              {check.result.reachable ? 'reachable' : `unreachable: ${check.result.error?.code}`}
            </span>
          )}
        </div>
      )}
      {check.result?.error && <ErrorBox error={check.result.error as never} />}
      {showForm && (
        <form
          className="reg-login"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="grid-2">
            <Field label="Endpoint" htmlFor="pal-endpoint" hint="Host only, e.g. api.spectrocloud.com">
              <input id="pal-endpoint" value={form.endpoint} onChange={set('endpoint')} required />
            </Field>
            <Field
              label="Project UID"
              htmlFor="pal-project"
              hint="Sent as the ProjectUid header; empty for tenant scope"
            >
              <input id="pal-project" value={form.projectUid} onChange={set('projectUid')} />
            </Field>
            <Field
              label="API key"
              htmlFor="pal-key"
              hint="Stored in the OS keychain or a 0600 file; never shown again"
            >
              <input
                id="pal-key"
                type="password"
                autoComplete="off"
                value={form.apiKey}
                onChange={set('apiKey')}
                required
              />
            </Field>
            <Field label="HTTP(S) proxy" htmlFor="pal-proxy" hint="Optional, e.g. http://proxy:3128">
              <input id="pal-proxy" value={form.proxy} onChange={set('proxy')} />
            </Field>
          </div>
          <Field
            label="CA certificates (PEM)"
            htmlFor="pal-ca"
            hint="For a self-hosted Palette or a TLS-inspecting proxy"
          >
            <textarea id="pal-ca" rows={3} value={form.caPem} onChange={set('caPem')} />
          </Field>
          <label className="row">
            <input type="checkbox" checked={form.insecure} onChange={set('insecure')} /> Skip TLS verification
            (insecure)
          </label>
          <ErrorBox error={login.error} />
          <div className="row">
            <button type="submit" className="primary" disabled={login.running}>
              {login.running ? 'Checking…' : 'Save and check'}
            </button>
            {s?.configured && (
              <button type="button" onClick={() => setEdit(false)}>
                Cancel
              </button>
            )}
          </div>
        </form>
      )}
    </Section>
  );
}
