import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/**
 * The browser app lives in src/web and is built into dist/web, which the server serves.
 * The server sends a strict CSP (script-src 'self'; style-src 'self'), so the build must not
 * contain inline scripts or styles: the module-preload polyfill is off and all CSS is a file.
 */
const webRoot = fileURLToPath(new URL('./src/web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));

/** In development the API and the server-rendered Privacy Policy come from the local HTTPS server. */
const backend: ProxyOptions = { target: 'https://localhost:8443', secure: false };

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': backend,
      '/privacy': backend,
      '/healthz': backend,
    },
  },
  preview: {
    proxy: {
      '/api': backend,
      '/privacy': backend,
      '/healthz': backend,
    },
  },
});
