import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PACKS_DIR, packIndex } from './tools/models/packs-index.mjs';

// Cross-origin isolation: SharedArrayBuffer for onnxruntime-web threads and ffmpeg.wasm.
// Everything the page loads is same-origin, so require-corp costs nothing.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The built app may load nothing from outside its own origin; the browser enforces it.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' blob: data:",
].join('; ');

const contentSecurityPolicy: Plugin = {
  name: 'motionpaste-csp',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
};

// Model packs under public/models/packs/NAME/ (git-ignored): the dev and preview servers answer
// /models/packs/index.json with the folders there now, and the preview server serves the pack
// files from public/ (packs placed after the build), streamed with their length. `vite build`
// writes the index into dist/.
function servePacks(req: IncomingMessage, res: ServerResponse, next: () => void, fromDisk: boolean): void {
  const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
  const prefix = '/models/packs/';
  if (!url.startsWith(prefix)) return next();
  const rest = url.slice(prefix.length);
  for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
  if (rest === 'index.json') {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(packIndex(PACKS_DIR)));
    return;
  }
  const parts = rest.split('/');
  const notFound = () => {
    // A missing pack file is a 404, not the app's index.html (the SPA fallback).
    res.statusCode = 404;
    res.end('not found');
  };
  if (parts.length < 2 || parts.some((p) => p === '' || p === '.' || p === '..')) return notFound();
  const file = path.join(PACKS_DIR, ...parts);
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return notFound();
    if (!fromDisk) return next();
    res.setHeader('Content-Length', String(st.size));
    res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    fs.createReadStream(file).pipe(res);
  });
}

const modelPacks: Plugin = {
  name: 'motionpaste-model-packs',
  configureServer: (server) => void server.middlewares.use((req, res, next) => servePacks(req, res, next, false)),
  configurePreviewServer: (server) => void server.middlewares.use((req, res, next) => servePacks(req, res, next, true)),
  generateBundle() {
    if (fs.existsSync(PACKS_DIR)) this.emitFile({ type: 'asset', fileName: 'models/packs/index.json', source: JSON.stringify(packIndex(PACKS_DIR)) });
  },
};

// The browser tests build the GPU test harness page (e2e/harness/) beside the app; the app's own
// build leaves it out, so no test code ships.
const testHarness = process.env.MOTIONPASTE_TEST_HARNESS === '1';

export default defineConfig({
  plugins: [react(), contentSecurityPolicy, modelPacks],
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    ...(testHarness ? { rolldownOptions: { input: { app: 'index.html', harness: 'e2e/harness/index.html' } } } : {}),
  },
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.{ts,mjs}'],
    environment: 'node',
    // Pixel-level tests (plates, scene completion) take a few seconds on a free core and several
    // times that when the two cores of a CI machine are shared: limits catch hangs, not speed
    // (speed is `npm run bench`'s).
    testTimeout: 30_000,
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core CI machine, which
    // leaves a core idle while the real-model tests (single-threaded wasm) run one file at a time.
    maxWorkers: 2,
  },
});
