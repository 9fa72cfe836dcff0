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
  },
  server: {
    // `npx vite --config apps/portal/vite.config.ts` during development, with the api on :3000.
    proxy: { '/graphql': 'http://localhost:3000' },
  },
});
