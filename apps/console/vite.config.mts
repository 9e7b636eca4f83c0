import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web console: built into dist/console and served by the gateway under /console (apps/gateway/src/console).
 * The callers' web chat (chat.html) is built beside it and served at /chat/<line number>.
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
    // Two pages: the console (index.html) and the callers' web chat (chat.html, served at /chat/<line>), whose
    // bundle holds none of the console's antd or charts.
    rollupOptions: { input: { console: resolve(here, 'index.html'), chat: resolve(here, 'chat.html') } },
  },
  server: {
    proxy: {
      '/api': target,
      '/socket.io': { target, ws: true },
    },
  },
});
