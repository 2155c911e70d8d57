// A throw-away CA and a server certificate for 127.0.0.1/localhost, made with openssl at test time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface SimCerts {
  dir: string;
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export function makeCerts(dir: string): SimCerts {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('sim-ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Edgebench Palette Sim CA',
  ]);
  ossl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  fs.writeFileSync(
    f('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  ossl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('sim-ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  ]);
  return {
    dir,
    caFile: f('sim-ca.pem'),
    caPem: fs.readFileSync(f('sim-ca.pem'), 'utf8'),
    certPem: fs.readFileSync(f('server.pem'), 'utf8'),
    keyPem: fs.readFileSync(f('server.key'), 'utf8'),
  };
}
