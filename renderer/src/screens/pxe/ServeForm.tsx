// The start form: interface, image (base ISOs and built media from the store, or a path), mode,
// hosts file, unknown-MAC policy.
import type { RequestOf, ResponseOf } from '../../../../shared/contract';
import { formatBytes } from '../../../../shared/format';
import { Field } from '../../ui/components';

export type StartRequest = RequestOf<'pxe.start'>;
type Interfaces = ResponseOf<'pxe.interfaces'>['interfaces'];
export interface ImageChoice {
  id: string;
  label: string;
  path: string;
}

export function imageChoices(
  bases: ResponseOf<'media.bases.list'>['bases'] | undefined,
  artifacts: ResponseOf<'media.artifacts.list'>['artifacts'] | undefined,
): ImageChoice[] {
  return [
    ...(bases ?? []).map((b) => ({
      id: b.id,
      label: `Base: ${b.name} · ${formatBytes(b.size)}`,
      path: b.path,
    })),
    ...(artifacts ?? [])
      .filter((a) => a.kind === 'iso')
      .map((a) => ({
        id: a.id,
        label: `Built: ${a.path.split('/').pop()}${a.hostId ? ` · ${a.hostId}` : ''} · ${formatBytes(a.size)}`,
        path: a.path,
      })),
  ];
}

export function ServeForm({
  form,
  setForm,
  interfaces,
  images,
  profiles,
  disabled,
  errors,
}: {
  form: StartRequest;
  setForm(f: StartRequest): void;
  interfaces: Interfaces;
  images: ImageChoice[];
  profiles: string[];
  disabled: boolean;
  errors: Partial<Record<'interface' | 'image' | 'dhcpRange' | 'httpPort', string>>;
}) {
  const set = (patch: Partial<StartRequest>) => setForm({ ...form, ...patch });
  const known = images.find((i) => i.id === form.image);
  return (
    <div className="pxe-form">
      <div className="grid-2">
        <Field label="Interface facing the machines" htmlFor="pxe-if" error={errors.interface}>
          <select
            id="pxe-if"
            value={form.interface ?? ''}
            disabled={disabled}
            onChange={(e) => set({ interface: e.target.value })}
          >
            <option value="">(choose an interface)</option>
            {interfaces.map((i) => (
              <option key={`${i.name}-${i.address}`} value={i.name}>
                {i.name} · {i.address}/{i.netmask}
                {i.internal ? ' · loopback' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="HTTP port"
          htmlFor="pxe-port"
          error={errors.httpPort}
          hint="iPXE script, kernel, initrd and user-data"
        >
          <input
            id="pxe-port"
            type="number"
            min={1}
            max={65535}
            value={form.httpPort ?? 8067}
            disabled={disabled}
            onChange={(e) => set({ httpPort: Number(e.target.value) })}
          />
        </Field>
      </div>
      <div className="grid-2">
        <Field
          label="Installer image"
          htmlFor="pxe-image-pick"
          hint={images.length ? undefined : 'No base ISOs or built media in the store yet.'}
        >
          <select
            id="pxe-image-pick"
            value={known ? form.image : ''}
            disabled={disabled || !images.length}
            onChange={(e) => set({ image: e.target.value })}
          >
            <option value="">(choose an image)</option>
            {images.map((i) => (
              <option key={i.id} value={i.id}>
                {i.label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Or an ISO path"
          htmlFor="pxe-image"
          error={errors.image}
          hint="kernel, initrd and rootfs.squashfs are taken from it"
        >
          <input
            id="pxe-image"
            className="mono"
            placeholder="/path/to/installer.iso"
            value={known ? known.path : form.image}
            disabled={disabled}
            onChange={(e) => set({ image: e.target.value })}
          />
        </Field>
      </div>
      <div className="grid-2">
        <fieldset className="pxe-mode" disabled={disabled}>
          <legend>Addresses</legend>
          <label>
            <input
              type="radio"
              name="pxe-mode"
              checked={form.mode !== 'dhcp'}
              onChange={() => set({ mode: 'proxy', dhcpRange: undefined })}
            />{' '}
            ProxyDHCP: the lab&apos;s DHCP server gives addresses
          </label>
          <label>
            <input
              type="radio"
              name="pxe-mode"
              checked={form.mode === 'dhcp'}
              onChange={() => set({ mode: 'dhcp' })}
            />{' '}
            Full DHCP for an isolated bench
          </label>
        </fieldset>
        {form.mode === 'dhcp' ? (
          <Field label="Address pool (FROM,TO,MASK)" htmlFor="pxe-range" error={errors.dhcpRange}>
            <input
              id="pxe-range"
              className="mono"
              placeholder="10.0.0.100,10.0.0.150,255.255.255.0"
              value={form.dhcpRange ?? ''}
              disabled={disabled}
              onChange={(e) => set({ dhcpRange: e.target.value })}
            />
          </Field>
        ) : (
          <Field
            label="Hosts CSV (optional)"
            htmlFor="pxe-hosts"
            hint="mac,name,profile,ip,...; else hosts in the store by MAC"
          >
            <input
              id="pxe-hosts"
              className="mono"
              placeholder="/path/to/hosts.csv"
              value={form.hostsFile ?? ''}
              disabled={disabled}
              onChange={(e) => set({ hostsFile: e.target.value || undefined })}
            />
          </Field>
        )}
      </div>
      <div className="grid-2">
        <label className="pxe-check">
          <input
            type="checkbox"
            checked={Boolean(form.allowUnknown)}
            disabled={disabled}
            onChange={(e) =>
              set({
                allowUnknown: e.target.checked,
                defaultProfile: e.target.checked ? form.defaultProfile : undefined,
              })
            }
          />{' '}
          Also boot unknown MACs (otherwise they are ignored and logged)
        </label>
        {form.allowUnknown && (
          <Field label="Profile for unknown MACs" htmlFor="pxe-default-profile">
            <select
              id="pxe-default-profile"
              value={form.defaultProfile ?? ''}
              disabled={disabled}
              onChange={(e) => set({ defaultProfile: e.target.value || undefined })}
            >
              <option value="">(none: boot the installer without user-data)</option>
              {profiles.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </Field>
        )}
      </div>
    </div>
  );
}
