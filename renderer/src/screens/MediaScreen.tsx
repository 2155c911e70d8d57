// Media screen: bake user-data into installer ISOs (with progress and cancel), list built media
// with hashes and hand them to Flash or PXE, inspect any ISO, manage base ISOs.
import { useState } from 'react';
import { useEvent, useQuery } from '../ui/hooks';
import { ArtifactsPanel } from './media/ArtifactsPanel';
import { BasesPanel } from './media/BasesPanel';
import { BuildPanel } from './media/BuildPanel';
import { InspectPanel } from './media/InspectPanel';
import './media/media.css';

export function MediaScreen() {
  const artifacts = useQuery('media.artifacts.list', {});
  const bases = useQuery('media.bases.list', {});
  const [inspectPath, setInspectPath] = useState('');
  useEvent('media.changed', (e) => {
    if (e.kind === 'artifact') void artifacts.reload();
    else void bases.reload();
  });
  return (
    <div className="media-screen">
      <h1>Installer media</h1>
      <BuildPanel onBuilt={() => void artifacts.reload()} />
      <ArtifactsPanel
        artifacts={artifacts.data?.artifacts ?? []}
        error={artifacts.error}
        onInspect={setInspectPath}
      />
      <InspectPanel path={inspectPath} setPath={setInspectPath} />
      <BasesPanel bases={bases.data?.bases ?? []} onAdded={() => void bases.reload()} />
    </div>
  );
}
