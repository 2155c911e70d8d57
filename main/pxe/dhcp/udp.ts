// A UDP socket bound on a port, with bind errors turned into sentences. Node's dgram has no
// SO_BINDTODEVICE, so DHCP sockets bind 0.0.0.0 and reply to the interface's subnet broadcast.
import dgram from 'node:dgram';
import { AppError } from '../../../shared/errors';

export const PRIVILEGED_HINT =
  'UDP ports 67 (DHCP), 69 (TFTP) and 4011 (PXE) need root: run `sudo edgebench pxe serve ...` (see docs/pxe.md)';

export async function bindUdp(
  port: number,
  address: string,
  what: string,
  opts: { broadcast?: boolean; reuseAddr?: boolean } = {},
): Promise<dgram.Socket> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: opts.reuseAddr ?? true });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      sock.close();
      if (e.code === 'EACCES' || e.code === 'EPERM')
        reject(
          new AppError('EACCES', `cannot open ${what} on UDP ${address}:${port}: ${PRIVILEGED_HINT}`, {
            port,
          }),
        );
      else if (e.code === 'EADDRINUSE')
        reject(
          new AppError(
            'EBUSY',
            `UDP ${address}:${port} (${what}) is already in use by another program (a DHCP or TFTP server?)`,
            {
              port,
            },
          ),
        );
      else if (e.code === 'EADDRNOTAVAIL')
        reject(new AppError('ENETWORK', `address ${address} is not on this machine (${what})`, { address }));
      else reject(new AppError('ENETWORK', `cannot open ${what} on UDP ${address}:${port}: ${e.message}`));
    };
    sock.once('error', onError);
    sock.bind(port, address, () => {
      sock.off('error', onError);
      resolve();
    });
  });
  if (opts.broadcast) sock.setBroadcast(true);
  return sock;
}

export function closeUdp(sock: dgram.Socket | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!sock) return resolve();
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
