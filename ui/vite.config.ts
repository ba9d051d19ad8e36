import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Relative base so the server can mount the bundle under any prefix.
// `MERIDIAN_API` points the dev server's proxy at a running meridian.
export default defineConfig({
  base: './',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': process.env.MERIDIAN_API ?? 'http://127.0.0.1:21000',
      '/j_spring_security_check': process.env.MERIDIAN_API ?? 'http://127.0.0.1:21000',
      '/logout.html': process.env.MERIDIAN_API ?? 'http://127.0.0.1:21000',
    },
  },
});
