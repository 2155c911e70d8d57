// Import a YAML file, save the document as a profile, load a saved profile.
import { useState } from 'react';
import { AppError, type ErrorData } from '../../../../shared/errors';
import { getClient } from '../../client';
import { ErrorBox } from '../../ui/components';
import { toErrorData, useEvent, useQuery } from '../../ui/hooks';

const MAX_BYTES = 1024 * 1024;

/** The same checks as the back end's decodeText: size, UTF-16, binary, UTF-8. */
export function decodeUserDataFile(name: string, buf: ArrayBuffer): string {
  const b = new Uint8Array(buf);
  if (b.length > MAX_BYTES)
    throw new AppError(
      'ETOOLARGE',
      `${name} is ${b.length} bytes; a user-data file may be at most ${MAX_BYTES} bytes`,
    );
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)))
    throw new AppError('EENCODING', `${name} is UTF-16 encoded; save the user-data file as UTF-8`);
  const nul = b.indexOf(0);
  if (nul !== -1)
    throw new AppError(
      'EENCODING',
      `${name} contains binary data (a NUL byte at offset ${nul}); a user-data file must be text`,
    );
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    throw new AppError('EENCODING', `${name} is not valid UTF-8 text; save the user-data file as UTF-8`);
  }
}

export function ProfileBar({ text, onLoad }: { text: string; onLoad(text: string, source: string): void }) {
  const profiles = useQuery('profiles.list', {});
  useEvent('profiles.changed', () => void profiles.reload());
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [keepPlain, setKeepPlain] = useState(false);
  const [selected, setSelected] = useState('');
  const [error, setError] = useState<ErrorData | undefined>();
  const [notice, setNotice] = useState('');
  const [confirmReplace, setConfirmReplace] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (overwrite: boolean) => {
    setBusy(true);
    setError(undefined);
    setNotice('');
    try {
      const r = await getClient().invoke('profiles.save', {
        name: name.trim(),
        description,
        userData: text,
        overwrite,
        keepPlainPasswords: keepPlain,
      });
      setConfirmReplace(false);
      setNotice(
        `${r.replaced ? 'Replaced' : 'Saved'} profile ${r.profile.name}${r.hashed ? ` (${r.hashed} password${r.hashed > 1 ? 's' : ''} hashed)` : ''}.`,
      );
      setSelected(r.profile.name);
      void profiles.reload();
    } catch (e) {
      const d = toErrorData(e);
      if (d.code === 'EEXIST') setConfirmReplace(true);
      else setError(d);
    } finally {
      setBusy(false);
    }
  };

  const load = async () => {
    if (!selected) return;
    setError(undefined);
    try {
      const r = await getClient().invoke('profiles.get', { name: selected });
      onLoad(r.profile.userData, `profile ${r.profile.name}`);
      setName(r.profile.name);
      setDescription(r.profile.description);
      setNotice(`Loaded profile ${r.profile.name}.`);
    } catch (e) {
      setError(toErrorData(e));
    }
  };

  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = async () => {
    setError(undefined);
    try {
      await getClient().invoke('profiles.delete', { name: selected });
      setNotice(`Deleted profile ${selected}.`);
      setSelected('');
      setConfirmDelete(false);
      void profiles.reload();
    } catch (e) {
      setError(toErrorData(e));
    }
  };

  /** Save the document as a file (passwords hashed unless kept plain on purpose). */
  const download = async () => {
    setError(undefined);
    try {
      const out = keepPlain
        ? { text, hashed: 0 }
        : await getClient().invoke('userdata.hashPasswords', { text });
      const url = URL.createObjectURL(new Blob([out.text], { type: 'application/x-yaml' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'user-data';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setNotice(
        `Downloaded user-data${out.hashed ? ` (${out.hashed} password${out.hashed > 1 ? 's' : ''} hashed)` : ''}.`,
      );
    } catch (e) {
      setError(toErrorData(e));
    }
  };

  const importFile = (file: File | undefined) => {
    if (!file) return;
    setError(undefined);
    const reader = new FileReader();
    reader.onerror = () => setError({ code: 'EIO', message: `could not read ${file.name}` });
    reader.onload = () => {
      try {
        onLoad(decodeUserDataFile(file.name, reader.result as ArrayBuffer), file.name);
        setNotice(`Imported ${file.name}.`);
      } catch (e) {
        setError(toErrorData(e));
      }
    };
    reader.readAsArrayBuffer(file);
  };

  const list = profiles.data?.profiles ?? [];
  return (
    <section className="panel ud-profiles" aria-label="Profiles">
      <div className="ud-profile-row">
        <div className="field">
          <label htmlFor="ud-import-file">Import a YAML file</label>
          <input
            id="ud-import-file"
            type="file"
            accept=".yaml,.yml,.txt,text/yaml,application/x-yaml,*"
            onChange={(e) => importFile(e.target.files?.[0])}
          />
        </div>
        <div className="field">
          <label htmlFor="ud-load-select">Saved profiles ({list.length})</label>
          <div className="row">
            <select id="ud-load-select" value={selected} onChange={(e) => setSelected(e.target.value)}>
              <option value="">Choose a profile…</option>
              {list.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.valid ? '' : ' (invalid)'}
                  {p.description ? ` — ${p.description}` : ''}
                </option>
              ))}
            </select>
            <button type="button" id="ud-load" onClick={() => void load()} disabled={!selected}>
              Load
            </button>
            <button type="button" id="ud-delete" onClick={() => setConfirmDelete(true)} disabled={!selected}>
              Delete
            </button>
          </div>
        </div>
        <div className="field">
          <label htmlFor="ud-profile-name">Save as profile</label>
          <div className="row">
            <input
              id="ud-profile-name"
              value={name}
              placeholder="store-template"
              onChange={(e) => {
                setName(e.target.value);
                setConfirmReplace(false);
              }}
            />
            <button
              type="button"
              className="primary"
              id="ud-save"
              disabled={!name.trim() || busy}
              onClick={() => void save(false)}
            >
              Save profile
            </button>
          </div>
        </div>
      </div>
      <div className="row ud-profile-extra">
        <label htmlFor="ud-profile-description">Description</label>
        <input
          id="ud-profile-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="what these hosts are"
        />
        <button type="button" id="ud-download" onClick={() => void download()}>
          Download user-data
        </button>
        <label className="ud-check">
          <input
            id="ud-keep-plain"
            type="checkbox"
            checked={keepPlain}
            onChange={(e) => setKeepPlain(e.target.checked)}
          />{' '}
          Keep plain-text passwords (not hashed)
        </label>
      </div>
      {confirmReplace && (
        <div className="warning-box" role="alert" id="ud-confirm-replace">
          A profile named <strong>{name}</strong> already exists.{' '}
          <button type="button" className="danger" id="ud-replace" onClick={() => void save(true)}>
            Replace it
          </button>{' '}
          <button type="button" onClick={() => setConfirmReplace(false)}>
            Keep it
          </button>
        </div>
      )}
      {confirmDelete && selected && (
        <div className="warning-box" role="alert" id="ud-confirm-delete">
          Delete profile <strong>{selected}</strong>? Hosts that name it keep the name.{' '}
          <button type="button" className="danger" id="ud-delete-confirm" onClick={() => void remove()}>
            Delete it
          </button>{' '}
          <button type="button" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
        </div>
      )}
      {notice && (
        <div className="muted" role="status" id="ud-notice">
          {notice}
        </div>
      )}
      <ErrorBox error={error} onDismiss={() => setError(undefined)} />
      {!!error?.details && Array.isArray((error.details as { diagnostics?: unknown[] }).diagnostics) && (
        <p className="muted">The findings are listed beside the preview.</p>
      )}
    </section>
  );
}
