// The baseline for bench/http.ts: a bare Fastify hello-world on the same TLS certificate.
import fs from 'node:fs';
import Fastify from 'fastify';

const [certFile, keyFile, port] = process.argv.slice(2);
const app = Fastify({ https: { cert: fs.readFileSync(certFile!), key: fs.readFileSync(keyFile!) } });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write('READY\n');
