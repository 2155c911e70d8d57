// Pick the image: built media from the store, or any path on the back end's machine.
import type { ResponseOf } from '../../../../shared/contract';
import { formatBytes } from '../../../../shared/format';
import { Field } from '../../ui/components';

type Images = ResponseOf<'flash.images'>['images'];

export function ImagePicker({
  images,
  value,
  onChange,
  disabled,
}: {
  images: Images;
  value: string;
  onChange(v: string): void;
  disabled?: boolean;
}) {
  const known = images.find((i) => i.id === value);
  return (
    <div className="grid-2">
      <Field
        label="Built media"
        htmlFor="flash-artifact"
        hint={images.length ? undefined : 'No built media in the store yet.'}
      >
        <select
          id="flash-artifact"
          value={known ? value : ''}
          disabled={disabled || !images.length}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">(choose built media)</option>
          {images.map((i) => (
            <option key={i.id} value={i.id} disabled={!i.exists}>
              {i.path.split('/').pop()} · {i.kind} · {formatBytes(i.size)}
              {i.hostId ? ` · ${i.hostId}` : ''}
              {i.exists ? '' : ' (file missing)'}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Or an image path"
        htmlFor="flash-image"
        hint=".iso, .img, .raw; .xz, .gz, .zip are decompressed while writing"
      >
        <input
          id="flash-image"
          className="mono"
          placeholder="/path/to/installer.iso"
          value={known ? known.path : value}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
        />
      </Field>
    </div>
  );
}
