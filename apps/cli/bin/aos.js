#!/usr/bin/env node
// The bundle that `pnpm build` makes (esbuild.config.mjs: one minified module graph whose
// commands load on use, far cheaper to start than the hundreds of files of dist/), else the
// plain build (`tsc` alone).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/main.js');
