// Flash screen: pick an image, tick drives in the live list, confirm what will be erased, watch
// per-drive progress, read per-drive results, flash the next batch. #flash/artifact=<id>
// preselects built media (the Media screen links that way).
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { EventOf, ResponseOf } from '../../../shared/contract';
import type { ErrorData } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { getClient } from '../client';
import { ErrorBox, Section } from '../ui/components';
import { toErrorData, useAction, useEvent, useQuery } from '../ui/hooks';
import { ConfirmDialog, type Confirmation } from './flash/ConfirmDialog';
import { blocked, DriveTable, type DriveRow } from './flash/DriveTable';
import { FlashProgress, FlashResults } from './flash/FlashProgress';
import { ImagePicker } from './flash/ImagePicker';
import { FlashRecords } from './flash/FlashRecords';
import './flash/flash.css';

function artifactFromHash(): string {
  const m = /artifact=([^&/]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : '';
}

function useDrives(all: boolean, image: string) {
  const [drives, setDrives] = useState<DriveRow[]>([]);
  const [error, setError] = useState<ErrorData>();
  const [imageError, setImageError] = useState<ErrorData>();
  const [imageSize, setImageSize] = useState<number>();
  const [watching, setWatching] = useState<string>();
  const load = useCallback(async () => {
    const c = getClient();
    try {
      const r = await c.invoke('flash.drives', { all, image: image.trim() || undefined });
      setDrives(r.drives);
      setImageSize(r.imageSize);
      setWatching(r.watching);
      setImageError(undefined);
      setError(undefined);
    } catch (e) {
      const err = toErrorData(e);
      if (!image.trim()) return setError(err);
      setImageError(err);
      setImageSize(undefined);
      try {
        const r = await c.invoke('flash.drives', { all });
        setDrives(r.drives);
        setWatching(r.watching);
        setError(undefined);
      } catch (e2) {
        setError(toErrorData(e2));
      }
    }
  }, [all, image]);
  useEffect(() => {
    const t = setTimeout(() => void load(), 250);
    return () => clearTimeout(t);
  }, [load]);
  useEvent('flash.drivesChanged', () => void load());
  return { drives, error, imageError, imageSize, watching, reload: load };
}

export function FlashScreen() {
  const [image, setImage] = useState(artifactFromHash);
  const [showHidden, setShowHidden] = useState(false);
  const [verify, setVerify] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [progress, setProgress] = useState<Map<string, EventOf<'progress'>>>(new Map());
  const [targets, setTargets] = useState<string[]>([]);
  const [result, setResult] = useState<ResponseOf<'flash.start'>>();
  const images = useQuery('flash.images', {});
  const { drives, error, imageError, imageSize, watching } = useDrives(showHidden, image);
  const flash = useAction('flash.start');

  useEffect(() => {
    const on = () => {
      const a = artifactFromHash();
      if (a) setImage(a);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  // A drive that vanished or became refused is unticked.
  useEffect(() => {
    setSelected((s) => {
      const ok = new Set([...s].filter((p) => drives.some((d) => d.path === p && !blocked(d))));
      return ok.size === s.size ? s : ok;
    });
  }, [drives]);

  useEffect(() => {
    if (targets.length)
      document.getElementById('flash-run')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [targets.length, result]);

  const chosen = useMemo(() => drives.filter((d) => selected.has(d.path)), [drives, selected]);
  const toggle = (p: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(p)) n.delete(p);
      else n.add(p);
      return n;
    });

  const start = async (c: Confirmation) => {
    setConfirming(false);
    const list = chosen.map((d) => d.path);
    setTargets(list);
    setProgress(new Map());
    setResult(undefined);
    const r = await flash.run(
      {
        image: image.trim(),
        targets: list,
        verify,
        ackLarge: c.ackLarge,
        allowSystemDrive: c.allowSystemDrive,
      },
      {
        onProgress: (p) => {
          if (p.item) setProgress((m) => new Map(m).set(p.item!, p));
        },
      },
    );
    setResult(r);
  };

  const again = () => {
    flash.setError(undefined);
    setTargets([]);
    setResult(undefined);
    setProgress(new Map());
    setSelected(new Set());
  };

  const busy = flash.running;
  const canFlash = !busy && image.trim() !== '' && !imageError && chosen.length > 0;

  return (
    <>
      <Section title="Flash">
        <ImagePicker images={images.data?.images ?? []} value={image} onChange={setImage} disabled={busy} />
        {imageSize !== undefined && (
          <p className="muted">Image size on the drive: {formatBytes(imageSize)}</p>
        )}
        <ErrorBox error={imageError} />
      </Section>

      <Section
        title="Drives"
        actions={
          <span className="muted">{watching === 'usb' ? 'USB hot-plug' : 'refreshing every 2 s'}</span>
        }
      >
        <div className="flash-toolbar">
          <label>
            <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />{' '}
            Show hidden devices and why
          </label>
          <label>
            <input
              type="checkbox"
              checked={verify}
              onChange={(e) => setVerify(e.target.checked)}
              disabled={busy}
            />{' '}
            Verify by reading back (recommended)
          </label>
        </div>
        <ErrorBox error={error} />
        <DriveTable
          drives={drives}
          selected={selected}
          onToggle={toggle}
          disabled={busy || targets.length > 0}
        />
        <div className="row flash-toolbar">
          {targets.length === 0 ? (
            <button
              type="button"
              className="primary"
              disabled={!canFlash}
              onClick={() => setConfirming(true)}
            >
              Flash {chosen.length || ''} {chosen.length === 1 ? 'drive' : 'drives'}
            </button>
          ) : busy ? (
            <button type="button" className="danger" onClick={flash.cancel}>
              Cancel
            </button>
          ) : (
            <button type="button" className="primary" onClick={again}>
              Flash again
            </button>
          )}
          {!image.trim() && <span className="muted">Choose an image first.</span>}
        </div>
      </Section>

      {targets.length > 0 && (
        <div id="flash-run">
          <Section title={busy ? 'Flashing' : 'Results'}>
            {busy || !result ? <FlashProgress targets={targets} progress={progress} /> : null}
            {result && <FlashResults results={result.results} />}
            {!busy && flash.error && <ErrorBox error={flash.error} />}
          </Section>
        </div>
      )}

      <Section title="Recent writes">
        <FlashRecords />
      </Section>

      {confirming && (
        <ConfirmDialog
          image={images.data?.images.find((i) => i.id === image)?.path ?? image}
          drives={chosen}
          verify={verify}
          onCancel={() => setConfirming(false)}
          onConfirm={(c) => void start(c)}
        />
      )}
    </>
  );
}
