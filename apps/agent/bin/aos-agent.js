#!/usr/bin/env -S node --max-semi-space-size=1 --no-opt --no-sparkplug --lite-mode
// The daemon is long-running and mostly idle (installs run in a child with the full JIT): a
// 1 MB young generation, no optimizing/baseline compilers and V8's lite mode (feedback vectors
// allocated lazily, heap sized for memory rather than speed) keep it small (bench/agent-memory.mjs).
// Started as `node bin/aos-agent.js` the shebang flags are not applied; set what can still be
// set at run time.
import { existsSync } from 'node:fs';
import v8 from 'node:v8';

if (!process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size')))
  v8.setFlagsFromString('--max-semi-space-size=1');
// The bundle that `pnpm build` makes (esbuild.config.mjs: one minified module graph, about
// 3 MiB less resident than the ~200 files of dist/), else the plain build.
const bundle = new URL('../dist/bundle/main.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/main.js');
