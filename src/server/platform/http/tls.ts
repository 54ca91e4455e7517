import fs from 'node:fs';
import path from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
  selfSigned: boolean;
}

/** TLS_CERT_FILE/TLS_KEY_FILE, or a self-signed localhost certificate created once in the data directory. */
export async function loadTls(options: { certFile?: string | undefined; keyFile?: string | undefined; dataDir: string }): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    return { cert: readPem(options.certFile, 'TLS_CERT_FILE'), key: readPem(options.keyFile, 'TLS_KEY_FILE'), selfSigned: false };
  }
  const dir = path.join(options.dataDir, 'tls');
  const certPath = path.join(dir, 'localhost.crt');
  const keyPath = path.join(dir, 'localhost.key');
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Loaded only on the first start: certificate generation is not on the path of later starts.
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    });
    fs.writeFileSync(keyPath, pems.private, { mode: 0o600 });
    fs.writeFileSync(certPath, pems.cert, { mode: 0o644 });
  }
  return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8'), selfSigned: true };
}

function readPem(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as Error).message})`);
  }
}
