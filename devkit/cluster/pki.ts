import { spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import * as path from 'path';

/** The files of a loopback cluster's PKI (made by Debian's `openssl`). */
export interface ClusterPki {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** An admin client in `system:masters`. */
  readonly adminCert: string;
  readonly adminKey: string;
  /** The ServiceAccount token signing pair. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(dir: string, args: readonly string[]): void {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.error) throw new Error('openssl is not installed: the cluster suite makes its certificates with it (sudo apt-get install -y openssl).');
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
}

/** A new P-256 key: 5 ms to make against about 240 ms for an RSA-2048 key (the unit suite makes two of these PKIs). */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

/** A CA, the API server's serving pair (for 127.0.0.1), an admin client pair and a ServiceAccount key pair (ES256), in `dir`. */
export function makePki(dir: string): ClusterPki {
  const file = (name: string) => path.join(dir, name);
  openssl(dir, ['req', '-x509', ...EC_KEY, '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=claude-oauth-tokens-test-ca']);
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject, ext] of [
    ['server', '/CN=kube-apiserver', 'server.ext'],
    ['admin', '/O=system:masters/CN=admin', 'client.ext'],
  ] as const) {
    openssl(dir, ['req', ...EC_KEY, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext]);
  }
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key']);
  openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  return {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPub: file('sa.pub'),
  };
}

/** A kubeconfig for `server` as the admin client. */
export function writeKubeconfig(file: string, server: string, pki: ClusterPki): void {
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server, 'certificate-authority': pki.caCert } }],
      users: [{ name: 'admin', user: { 'client-certificate': pki.adminCert, 'client-key': pki.adminKey } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'admin' } }],
      'current-context': 'local',
    }),
  );
}
