import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-proc-'));
afterAll(() => {
  children.forEach((c) => c.kill('SIGKILL'));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    // The process tests exercise the embedded database and its lock, whatever KENALAN_TEST_DB is.
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Kenalan is ready')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`server exited with ${code}: ${output}`));
    });
  });
  ready.catch(() => undefined); // Tests that expect an exit never await `ready`.
  return { child, ready, exited, output: () => output };
}

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const client = url.startsWith('https') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { rejectUnauthorized: false, ...options }, (response) => {
      let body = '';
      response.on('data', (d) => (body += d));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
  });
}

describe('the server process', { timeout: 120_000 }, () => {
  let port = 0;
  let httpPort = 0;
  let first: ReturnType<typeof startServer>;

  it('starts on HTTPS with a self-signed certificate, redirects HTTP, and reports ready', async () => {
    [port, httpPort] = [await freePort(), await freePort()];
    first = startServer({ DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: String(httpPort), PUBLIC_URL: `https://localhost:${port}` });
    await first.ready;
    expect(fs.existsSync(path.join(dataDir, 'tls/localhost.crt'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const health = await get(`https://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await get(`https://127.0.0.1:${port}/readyz`);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', database: 'pglite' });
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(health.headers['content-security-policy']).toContain("default-src 'self'");
    expect(health.headers['content-security-policy']).toContain("script-src 'self'");

    const redirect = await get(`http://127.0.0.1:${httpPort}/support?x=1`);
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe(`https://localhost:${port}/support?x=1`);
  });

  it('refuses TLS below 1.2', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', rejectUnauthorized: false });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('refuses a second instance on the same data directory with a clear message', async () => {
    const second = startServer({ DATA_DIR: dataDir, PORT: String(await freePort()), HTTP_PORT: '0' });
    expect(await second.exited).toBe(75);
    expect(second.output()).toContain('Another Kenalan process is using the data directory');
  });

  it('stops start-up on a bad configuration, naming the variable', async () => {
    const bad = startServer({ DATA_DIR: dataDir, PORT: 'eighty', DEFAULT_LANGUAGE: 'fr' });
    expect(await bad.exited).toBe(78);
    expect(bad.output()).toContain('PORT: expected integer');
    expect(bad.output()).toContain('DEFAULT_LANGUAGE');
  });

  it('shuts down cleanly on SIGTERM and starts again on the same data', async () => {
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const again = startServer({ DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: '0' });
    await again.ready;
    expect((await get(`https://127.0.0.1:${port}/readyz`)).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
