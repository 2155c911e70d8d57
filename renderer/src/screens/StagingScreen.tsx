// Staging screen: import a manifest (file picker or drag and drop), see its validation with row
// and column, start the run, and watch every host move through its steps with overall ETA.
import { useEffect, useState } from 'react';
import type { ManifestCheck } from '../../../shared/contract/staging';
import type { ErrorData } from '../../../shared/errors';
import { getClient } from '../client';
import { ErrorBox, Field, Section } from '../ui/components';
import { toErrorData, useEvent, useQuery } from '../ui/hooks';
import { ManifestDrop, SitesPicker, type PickedFile } from './staging/ManifestImport';
import { RunView } from './staging/RunView';
import { StateBadge } from './staging/StateBadge';
import { ValidationResult } from './staging/ValidationResult';
import './staging/staging.css';

export function StagingScreen() {
  const [manifest, setManifest] = useState<PickedFile>();
  const [sites, setSites] = useState<PickedFile>();
  const [check, setCheck] = useState<ManifestCheck>();
  const [error, setError] = useState<ErrorData>();
  const [via, setVia] = useState<'' | 'usb' | 'pxe'>('');
  const [image, setImage] = useState('');
  const [targets, setTargets] = useState('');
  const [mediaMode, setMediaMode] = useState<'per-host' | 'cidata'>('per-host');
  const [newRun, setNewRun] = useState(false);
  const [pxeIf, setPxeIf] = useState('');
  const [busy, setBusy] = useState(false);
  const [runId, setRunId] = useState<string | undefined>(() => /^#staging\/(.+)$/.exec(location.hash)?.[1]);
  const runs = useQuery('staging.list', { limit: 20 });
  useEvent('staging.run', () => void runs.reload());

  useEffect(() => {
    if (!manifest) return;
    let live = true;
    getClient()
      .invoke('staging.validateManifest', {
        text: manifest.text,
        fileName: manifest.name,
        sitesText: sites?.text,
        via: via || undefined,
      })
      .then(
        (r) => live && (setCheck(r), setError(undefined)),
        (e) => live && (setCheck(undefined), setError(toErrorData(e))),
      );
    return () => {
      live = false;
    };
  }, [manifest, sites, via]);

  const start = async () => {
    if (!manifest) return;
    setBusy(true);
    try {
      const r = await getClient().invoke('staging.start', {
        text: manifest.text,
        fileName: manifest.name,
        sitesText: sites?.text,
        newRun,
        options: {
          via: via || undefined,
          image: image.trim() || undefined,
          targets: targets.split(/[\s,]+/).filter(Boolean),
          mediaMode,
          ...(pxeIf.trim() ? { pxe: { interface: pxeIf.trim() } } : {}),
        },
      });
      setRunId(r.runId);
      history.replaceState(null, '', `#staging/${r.runId}`);
      setError(undefined);
      void runs.reload();
    } catch (e) {
      setError(toErrorData(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="staging">
      <Section title="Staging: import a manifest">
        <ManifestDrop
          file={manifest}
          onFile={setManifest}
          onError={(m) => setError({ code: 'EINVALID', message: m })}
        />
        <SitesPicker
          file={sites}
          onFile={setSites}
          onError={(m) => setError({ code: 'EINVALID', message: m })}
        />
        <ErrorBox error={error} onDismiss={() => setError(undefined)} />
        {check && <ValidationResult check={check} />}
        <div className="grid-2 st-options">
          <Field
            label="Installer ISO (USB hosts)"
            htmlFor="st-image"
            hint="Path on the machine running Edgebench"
          >
            <input
              id="st-image"
              className="mono"
              placeholder="/path/to/installer.iso"
              value={image}
              onChange={(e) => setImage(e.target.value)}
            />
          </Field>
          <Field
            label="Target drives"
            htmlFor="st-targets"
            hint="Device paths, comma separated; empty: build media only"
          >
            <input
              id="st-targets"
              className="mono"
              placeholder="/dev/sdb, /dev/sdc"
              value={targets}
              onChange={(e) => setTargets(e.target.value)}
            />
          </Field>
          <Field label="Media" htmlFor="st-media">
            <select
              id="st-media"
              value={mediaMode}
              onChange={(e) => setMediaMode(e.target.value as 'per-host' | 'cidata')}
            >
              <option value="per-host">An ISO per distinct user-data</option>
              <option value="cidata">One shared ISO + a per-host cidata image</option>
            </select>
          </Field>
          <Field
            label="PXE interface"
            htmlFor="st-pxe-if"
            hint="For PXE hosts: the NIC facing them (boot files come from the ISO)"
          >
            <input
              id="st-pxe-if"
              className="mono"
              placeholder="eth1"
              value={pxeIf}
              onChange={(e) => setPxeIf(e.target.value)}
            />
          </Field>
          <Field label="Delivery for rows without one" htmlFor="st-via">
            <select id="st-via" value={via} onChange={(e) => setVia(e.target.value as '' | 'usb' | 'pxe')}>
              <option value="">(as in the manifest)</option>
              <option value="usb">USB</option>
              <option value="pxe">PXE</option>
            </select>
          </Field>
        </div>
        <div className="row">
          <button
            type="button"
            className="primary"
            disabled={!check?.ok || busy}
            onClick={start}
            data-testid="start-run"
          >
            {busy ? 'Starting…' : 'Start staging'}
          </button>
          <label className="row">
            <input type="checkbox" checked={newRun} onChange={(e) => setNewRun(e.target.checked)} /> New run
            even if this manifest ran before
          </label>
        </div>
      </Section>
      {runId && <RunView runId={runId} />}
      <Section title="Runs">
        {runs.error && <ErrorBox error={runs.error} />}
        {runs.data && runs.data.runs.length === 0 && <p className="muted">No runs yet.</p>}
        {runs.data && runs.data.runs.length > 0 && (
          <table className="data" aria-label="Staging runs">
            <thead>
              <tr>
                <th>Run</th>
                <th>State</th>
                <th>Manifest</th>
                <th>Hosts</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <button
                      type="button"
                      className="link mono"
                      onClick={() => {
                        setRunId(r.id);
                        history.replaceState(null, '', `#staging/${r.id}`);
                      }}
                    >
                      {r.id}
                    </button>
                  </td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>{r.fileName}</td>
                  <td>
                    {r.counts.done}/{r.counts.total} done
                    {r.counts.failed ? `, ${r.counts.failed} failed` : ''}
                  </td>
                  <td className="muted">{r.createdAt.replace('T', ' ').slice(0, 19)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
