import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// Built from the repository root (`npm run build:portal`); the api serves dist/ at /.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // The lazy TF.js chunk is ~1.1 MB (270 KB gzipped), fetched only when the playground runs a model.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // TF.js (and the CommonJS packages only it uses) is loaded by the playground's dynamic
        // import alone: one chunk of its own, so that none of it rides in the first page's bundle.
        advancedChunks: {
          groups: [{ name: 'tfjs', test: /node_modules[\\/](@tensorflow|long|seedrandom)[\\/]/ }],
        },
      },
    },
  },
  server: {
    // `npx vite --config apps/portal/vite.config.ts` during development, with the api on :3000.
    proxy: { '/graphql': 'http://localhost:3000' },
  },
});
