// Import a manifest: drop a CSV/YAML file on the zone or pick it; optionally a sites file.
import { useRef, useState, type DragEvent } from 'react';

export interface PickedFile {
  name: string;
  text: string;
}

const MAX = 8 * 1024 * 1024;

async function readPicked(f: File): Promise<PickedFile> {
  if (f.size > MAX) throw new Error(`${f.name} is ${f.size} bytes; a manifest may be at most 8 MiB`);
  return { name: f.name, text: await f.text() };
}

export function ManifestDrop({
  file,
  onFile,
  onError,
}: {
  file?: PickedFile;
  onFile(f: PickedFile): void;
  onError(msg: string): void;
}) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const take = (f: File | undefined) => {
    if (f) readPicked(f).then(onFile, (e: Error) => onError(e.message));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    take(e.dataTransfer.files[0]);
  };
  return (
    <div
      className={`st-drop${over ? ' over' : ''}`}
      data-testid="manifest-drop"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div>
        <strong>{file ? file.name : 'Drop a manifest here'}</strong>
        <div className="muted">
          {file
            ? `${file.text.split('\n').filter((l) => l.trim()).length} lines`
            : 'CSV with a header row (name, serial, mac, site, profile, ip, gateway, tags, delivery) or YAML'}
        </div>
      </div>
      <button type="button" onClick={() => input.current?.click()}>
        Choose file…
      </button>
      <input
        ref={input}
        type="file"
        accept=".csv,.yaml,.yml,text/csv,application/yaml"
        hidden
        aria-label="Manifest file"
        data-testid="manifest-input"
        onChange={(e) => {
          take(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
    </div>
  );
}

export function SitesPicker({
  file,
  onFile,
  onError,
}: {
  file?: PickedFile;
  onFile(f?: PickedFile): void;
  onError(msg: string): void;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="row">
      <button type="button" onClick={() => input.current?.click()}>
        {file ? `Sites: ${file.name}` : 'Add a sites file…'}
      </button>
      {file && (
        <button type="button" className="link" onClick={() => onFile(undefined)}>
          Remove
        </button>
      )}
      <span className="muted">
        YAML/JSON: name, subnet(s), gateway, nameserver (CSV manifests need it unless sites are saved)
      </span>
      <input
        ref={input}
        type="file"
        accept=".yaml,.yml,.json"
        hidden
        aria-label="Sites file"
        data-testid="sites-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) readPicked(f).then(onFile, (err: Error) => onError(err.message));
          e.target.value = '';
        }}
      />
    </div>
  );
}
