import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Relative base so the server can mount the bundle under any prefix.
// `MERIDIAN_API` points the dev server's proxy at a running meridian.
export default defineConfig({
  base: './',
  plugins: [preact()],
  // MERIDIAN_UI_OUT (set by CMake) redirects the bundle into the build tree.
  build: {
    outDir: process.env.MERIDIAN_UI_OUT ?? 'dist',
    emptyOutDir: !process.env.MERIDIAN_UI_OUT,
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': process.env.MERIDIAN_API ?? 'http://127.0.0.1:21000',
      '/j_spring_security_check': process.env.MERIDIAN_API ?? 'http://127.0.0.1:21000',
      '/logout.html': process.env.MERIDIAN_API ?? 'http://127.0.0.1:21000',
    },
  },
});
