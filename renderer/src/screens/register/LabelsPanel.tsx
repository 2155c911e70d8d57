// QR labels: the registration URL, SVG previews and a PDF sheet download; Terraform export.
import { useEffect, useState } from 'react';
import { ErrorBox, Field, Section } from '../../ui/components';
import { useAction } from '../../ui/hooks';

function download(name: string, data: BlobPart, type: string) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

export function LabelsPanel({ selected }: { selected: string[] }) {
  const settings = useAction('labels.settings');
  const preview = useAction('labels.preview');
  const pdf = useAction('labels.pdf');
  const tf = useAction('register.terraform');
  const [url, setUrl] = useState('');
  const [paper, setPaper] = useState<'A4' | 'Letter'>('A4');
  useEffect(() => {
    void settings.run({}).then((r) => r && setUrl(r.registrationURL || `${location.origin}/register`));
  }, []);
  const saveUrl = () => settings.run({ registrationURL: url });
  return (
    <Section title="Labels and export">
      <div className="row">
        <Field label="Registration URL (in the QR codes, ?uid=ID is added)" htmlFor="label-url">
          <input id="label-url" size={50} value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <button type="button" onClick={() => void saveUrl()}>
          Save URL
        </button>
        <select
          aria-label="paper"
          value={paper}
          onChange={(e) => setPaper(e.target.value as 'A4' | 'Letter')}
        >
          <option>A4</option>
          <option>Letter</option>
        </select>
        <button type="button" onClick={async () => (await saveUrl()) && preview.run({ hostIds: selected })}>
          Preview {selected.length ? `${selected.length} selected` : 'all'}
        </button>
        <button
          type="button"
          className="primary"
          onClick={async () => {
            if (!(await saveUrl())) return;
            const r = await pdf.run({ hostIds: selected, paper });
            if (r)
              download(
                'edgebench-labels.pdf',
                Uint8Array.from(atob(r.pdfBase64), (c) => c.charCodeAt(0)),
                'application/pdf',
              );
          }}
        >
          Download PDF
        </button>
        <button
          type="button"
          onClick={async () => {
            const r = await tf.run({});
            if (r) for (const f of r.files) download(f.name, f.content, 'text/plain');
          }}
        >
          Export Terraform
        </button>
      </div>
      <ErrorBox error={settings.error ?? preview.error ?? pdf.error ?? tf.error} />
      <div className="reg-labels" data-testid="label-previews">
        {(preview.result?.labels ?? []).map((l) => (
          <figure key={l.hostId} className="reg-label">
            <img
              alt={`QR label for ${l.hostId}`}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(l.svg)}`}
            />
            <figcaption className="mono small">{l.url}</figcaption>
          </figure>
        ))}
      </div>
    </Section>
  );
}
