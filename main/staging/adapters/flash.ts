// Adapter over the flash capability (main/flash): one flashImage call per (host, target) so the
// flash records carry the host ID; calls for one batch run side by side.
import type { AppContext } from '../../app';
import { isErrorCode } from '../../../shared/errors';
import { toErrorData } from '../../api/dispatch';
import { flashImage } from '../../flash/service';
import type { FlashOutcome } from '../services';

export async function flashToTargets(
  app: AppContext,
  a: {
    image: string;
    targets: string[];
    hostIds: string[];
    signal: AbortSignal;
    onProgress?: (percent: number, phase: string) => void;
  },
): Promise<FlashOutcome[]> {
  const percents = new Map<string, number>();
  return Promise.all(
    a.targets.map(async (target, i): Promise<FlashOutcome> => {
      try {
        const r = await flashImage({
          app,
          image: a.image,
          targets: [target],
          verify: true,
          hostId: a.hostIds[i],
          signal: a.signal,
          onProgress: (e) => {
            percents.set(target, e.percent ?? 0);
            const avg = [...percents.values()].reduce((x, y) => x + y, 0) / a.targets.length;
            a.onProgress?.(avg, e.phase);
          },
        });
        const t = r.results[0];
        return {
          target,
          ok: t.ok,
          verified: t.verified,
          serial: t.serial,
          bytes: t.bytesWritten,
          error: t.ok
            ? undefined
            : { code: t.code && isErrorCode(t.code) ? t.code : 'EIO', message: t.message ?? 'write failed' },
        };
      } catch (e) {
        if (a.signal.aborted) throw e;
        return { target, ok: false, verified: false, error: toErrorData(e) };
      }
    }),
  );
}
