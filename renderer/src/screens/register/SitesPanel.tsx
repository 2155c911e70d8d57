// Sites editor and their clusters: create (validate first) and delete.
import { useState } from 'react';
import type { ResponseOf } from '../../../../shared/contract';
import { ErrorBox, Field, ProgressBar, Section } from '../../ui/components';
import { useAction, useEvent, useQuery } from '../../ui/hooks';

type Site = ResponseOf<'sites.list'>['sites'][number];

const EMPTY = {
  name: '',
  location: '',
  infra: '',
  os: '',
  k8s: '',
  cni: '',
  addons: '',
  endpointType: 'VIP' as 'VIP' | 'DDNS',
  endpointHost: '',
  overlayCidr: '',
  controlPlane: '',
  workers: '',
  pin: '',
};

const ids = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function toForm(s: Site) {
  return {
    name: s.name,
    location: s.location ?? '',
    infra: s.profiles.infrastructure?.uid ?? '',
    os: s.profiles.infrastructure?.os ?? '',
    k8s: s.profiles.infrastructure?.k8s ?? '',
    cni: s.profiles.infrastructure?.cni ?? '',
    addons: s.profiles.addons.map((a) => a.uid).join(','),
    endpointType: s.endpoint.type,
    endpointHost: s.endpoint.host ?? s.endpoint.ddnsSearchDomain ?? '',
    overlayCidr: s.overlayCidr ?? '',
    controlPlane: Object.entries(s.nodeRoles)
      .filter(([, r]) => r === 'control-plane')
      .map(([h]) => h)
      .join(','),
    workers: Object.entries(s.nodeRoles)
      .filter(([, r]) => r === 'worker')
      .map(([h]) => h)
      .join(','),
    pin: '',
  };
}

export function SitesPanel({ version, onChange }: { version: number; onChange: () => void }) {
  const sites = useQuery('sites.list', {}, [version]);
  const clusters = useQuery('clusters.list', {}, [version]);
  const profiles = useAction('palette.profiles');
  const put = useAction('sites.put');
  const create = useAction('clusters.create');
  const del = useAction('clusters.delete');
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState<Site | undefined>();
  useEvent('register.changed', (e) => {
    if (e.reason === 'cluster' || e.reason === 'site') {
      void sites.reload();
      void clusters.reload();
    }
  });
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const save = async () => {
    const r = await put.run({
      name: form.name,
      location: form.location || undefined,
      profiles: {
        infrastructure: form.infra
          ? {
              uid: form.infra,
              os: (form.os || undefined) as never,
              k8s: (form.k8s || undefined) as never,
              cni: (form.cni || undefined) as never,
            }
          : undefined,
        addons: form.addons
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .map((uid) => ({ uid })),
      },
      endpoint:
        form.endpointType === 'VIP'
          ? { type: 'VIP', host: form.endpointHost || undefined }
          : { type: 'DDNS', host: form.endpointHost || undefined },
      overlayCidr: form.overlayCidr || undefined,
      nodeRoles: {
        ...Object.fromEntries(ids(form.workers).map((h) => [h, 'worker' as const])),
        ...Object.fromEntries(ids(form.controlPlane).map((h) => [h, 'control-plane' as const])),
      },
      sshKeys: editing?.sshKeys ?? [],
      ntpServers: editing?.ntpServers ?? [],
      tags: editing?.tags ?? {},
      ...(form.pin ? { pin: form.pin } : {}),
    });
    if (r) {
      setForm(EMPTY);
      setEditing(undefined);
      await sites.reload();
      onChange();
    }
  };
  const clusterOf = (site: string) =>
    clusters.data?.clusters.find(
      (c) => c.site === site && ['creating', 'created', 'deleting'].includes(c.state),
    );
  return (
    <Section title="Sites and clusters">
      <ErrorBox error={sites.error ?? create.error ?? del.error} />
      <ProgressBar progress={create.running ? create.progress : del.running ? del.progress : undefined} />
      {create.result && create.result.problems.length > 0 && (
        <div className="warning-box">
          {create.result.problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      )}
      {del.result && (
        <div className="muted" data-testid="delete-result">
          Deleted {del.result.cluster.name}: {del.result.hosts.map((h) => `${h.uid} ${h.state}`).join(', ')}
        </div>
      )}
      <table className="data" data-testid="sites">
        <thead>
          <tr>
            <th>Site</th>
            <th>Location</th>
            <th>Profiles</th>
            <th>Endpoint</th>
            <th>PIN</th>
            <th>Cluster</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(sites.data?.sites ?? []).map((s) => {
            const c = clusterOf(s.name);
            return (
              <tr key={s.name} data-site={s.name}>
                <td>
                  <strong>{s.name}</strong>
                </td>
                <td>{s.location ?? '-'}</td>
                <td className="small">
                  {s.profiles.infrastructure
                    ? `${s.profiles.infrastructure.uid} (${[s.profiles.infrastructure.os, s.profiles.infrastructure.k8s, s.profiles.infrastructure.cni].filter(Boolean).join(' / ')})`
                    : '—'}
                  {s.profiles.addons.length > 0 && ` + ${s.profiles.addons.length} add-on(s)`}
                </td>
                <td>
                  {s.endpoint.type} {s.endpoint.host ?? s.endpoint.ddnsSearchDomain ?? s.overlayCidr ?? ''}
                </td>
                <td>
                  {s.hasPin ? <span className="badge ok">set</span> : <span className="badge">none</span>}
                </td>
                <td data-testid="cluster-state">
                  {c ? `${c.name} (${c.state}, ${c.hostIds.length} hosts)` : '—'}
                </td>
                <td className="row">
                  <button type="button" onClick={() => (setEditing(s), setForm(toForm(s)))}>
                    Edit
                  </button>
                  <button
                    type="button"
                    onClick={() => void create.run({ site: s.name, dryRun: true })}
                    disabled={create.running}
                  >
                    Validate
                  </button>
                  <button
                    type="button"
                    className="primary"
                    onClick={async () => (await create.run({ site: s.name })) && clusters.reload()}
                    disabled={create.running}
                  >
                    {c ? 'Add new hosts' : 'Create cluster'}
                  </button>
                  {c && (
                    <button
                      type="button"
                      className="danger"
                      disabled={del.running}
                      onClick={async () => {
                        if (confirm(`Delete cluster ${c.name} in Palette? Its hosts return to ready.`)) {
                          await del.run({ name: c.name });
                          await clusters.reload();
                          onChange();
                        }
                      }}
                    >
                      Delete cluster
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form
        className="reg-site-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h3>{editing ? `Edit site ${editing.name}` : 'New site'}</h3>
        <div className="grid-3">
          <Field label="Name" htmlFor="site-name" hint="lower-case, digits, dashes">
            <input
              id="site-name"
              value={form.name}
              onChange={set('name')}
              required
              disabled={Boolean(editing)}
            />
          </Field>
          <Field label="Location" htmlFor="site-location">
            <input id="site-location" value={form.location} onChange={set('location')} />
          </Field>
          <Field label="Infrastructure profile UID" htmlFor="site-infra">
            <input id="site-infra" list="site-profiles" value={form.infra} onChange={set('infra')} />
          </Field>
          <Field label="OS" htmlFor="site-os">
            <select id="site-os" value={form.os} onChange={set('os')}>
              <option value="">—</option>
              <option>openSUSE</option>
              <option>Ubuntu</option>
            </select>
          </Field>
          <Field label="Kubernetes" htmlFor="site-k8s">
            <select id="site-k8s" value={form.k8s} onChange={set('k8s')}>
              <option value="">—</option>
              <option>Palette Optimized K3s</option>
              <option>RKE2</option>
              <option>PXK-E</option>
            </select>
          </Field>
          <Field label="CNI" htmlFor="site-cni">
            <select id="site-cni" value={form.cni} onChange={set('cni')}>
              <option value="">—</option>
              <option>Calico</option>
              <option>Flannel</option>
            </select>
          </Field>
          <Field label="Add-on profile UIDs" htmlFor="site-addons" hint="comma-separated">
            <input id="site-addons" value={form.addons} onChange={set('addons')} />
          </Field>
          <Field label="Endpoint" htmlFor="site-ep-type">
            <select id="site-ep-type" value={form.endpointType} onChange={set('endpointType')}>
              <option value="VIP">VIP</option>
              <option value="DDNS">DDNS</option>
            </select>
          </Field>
          <Field label={form.endpointType === 'VIP' ? 'VIP address' : 'DDNS host'} htmlFor="site-ep-host">
            <input id="site-ep-host" value={form.endpointHost} onChange={set('endpointHost')} />
          </Field>
          <Field label="Overlay CIDR" htmlFor="site-overlay" hint="optional">
            <input id="site-overlay" value={form.overlayCidr} onChange={set('overlayCidr')} />
          </Field>
          <Field
            label="Control-plane hosts"
            htmlFor="site-cp"
            hint="host IDs, comma-separated; default: the first host"
          >
            <input id="site-cp" value={form.controlPlane} onChange={set('controlPlane')} />
          </Field>
          <Field label="Worker hosts" htmlFor="site-workers" hint="others are workers anyway">
            <input id="site-workers" value={form.workers} onChange={set('workers')} />
          </Field>
          <Field
            label="Registration page PIN"
            htmlFor="site-pin"
            hint={editing?.hasPin ? 'set; type to replace' : 'needed for the phone page'}
          >
            <input
              id="site-pin"
              type="password"
              autoComplete="new-password"
              value={form.pin}
              onChange={set('pin')}
            />
          </Field>
        </div>
        <datalist id="site-profiles">
          {(profiles.result?.profiles ?? []).map((p) => (
            <option key={p.uid} value={p.uid}>
              {p.name} {p.version}
            </option>
          ))}
        </datalist>
        <ErrorBox error={put.error ?? profiles.error} />
        <div className="row">
          <button type="submit" className="primary" disabled={put.running}>
            Save site
          </button>
          <button type="button" onClick={() => void profiles.run({})} disabled={profiles.running}>
            Load profiles from Palette
          </button>
          {editing && (
            <button type="button" onClick={() => (setEditing(undefined), setForm(EMPTY))}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </Section>
  );
}
