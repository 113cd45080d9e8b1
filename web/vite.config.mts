import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is built into dist/web, which the server serves at `/` (src/dashboard).
// Everything it needs is bundled: no CDN, no external fonts, so it works offline.
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  // `npx vite --config web/vite.config.ts` for development, against a server on :8487.
  server: { proxy: { '/api': 'http://127.0.0.1:8487' } },
});
