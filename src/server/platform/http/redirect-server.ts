import http from 'node:http';

/** The plain-HTTP port does one thing: send the browser to the same path over HTTPS. */
export function startRedirectServer(options: { host: string; port: number; publicUrl: string }): Promise<http.Server> {
  const target = new URL(options.publicUrl);
  const server = http.createServer((request, response) => {
    const location = new URL(request.url ?? '/', target).toString();
    response.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`Kenalan is served over HTTPS: ${location}\n`);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
