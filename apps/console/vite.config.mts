import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web console: built into dist/console and served by the gateway under /console (apps/gateway/src/console).
 * `npm run dev:console` serves it with hot reload on :5173 and forwards the API and sockets to a running
 * `npm start` (KAPOK_URL, default http://127.0.0.1:3000).
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const target = process.env.KAPOK_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  base: '/console/',
  plugins: [react()],
  resolve: {
    // The types and codes shared with the server (plain TypeScript, bundled like the console's own files).
    alias: [{ find: /^@kapok\/contracts$/, replacement: resolve(here, '../../libs/contracts/src/index.ts') }],
  },
  build: {
    outDir: resolve(here, '../../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/api': target,
      '/socket.io': { target, ws: true },
    },
  },
});
