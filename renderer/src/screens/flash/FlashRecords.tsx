// Recorded writes, newest first: on the Flash screen, and reusable on a host's page
// (<FlashRecords hostId="edge-007" />).
import { useEffect } from 'react';
import { formatBytes } from '../../../../shared/format';
import { ErrorBox } from '../../ui/components';
import { useEvent, useQuery } from '../../ui/hooks';

export function FlashRecords({
  hostId,
  limit = 10,
  refreshKey,
}: {
  hostId?: string;
  limit?: number;
  refreshKey?: unknown;
}) {
  const records = useQuery('flash.records', { hostId, limit }, [hostId, limit]);
  const { reload } = records;
  useEvent('flash.recorded', () => void reload());
  useEffect(() => {
    if (refreshKey !== undefined) void reload();
  }, [refreshKey, reload]);
  if (records.error) return <ErrorBox error={records.error} />;
  if (!records.data?.records.length) return <p className="muted">No writes recorded yet.</p>;
  return (
    <table className="data flash-records">
      <thead>
        <tr>
          <th>When</th>
          <th>Drive</th>
          <th>Serial</th>
          <th>Image</th>
          <th>Written</th>
          <th>Verify</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {records.data.records.map((r) => (
          <tr key={r.id} title={r.errorMessage ?? `sha256 ${r.imageSha256}`}>
            <td>{new Date(r.endedAt).toLocaleString()}</td>
            <td className="mono">{r.drivePath}</td>
            <td className="mono">{r.serial ?? '-'}</td>
            <td className="mono">{r.imagePath.split('/').pop()}</td>
            <td>
              {formatBytes(r.bytesWritten)}
              {r.speed ? ` · ${formatBytes(r.speed)}/s` : ''}
            </td>
            <td>{r.verify}</td>
            <td>
              <span className={`badge ${r.ok ? 'ok' : 'fail'}`}>{r.ok ? 'OK' : r.errorCode}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
