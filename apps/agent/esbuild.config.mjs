// Bundles the daemon's CLI (dist/main.js, and the install worker it spawns) into dist/bundle/:
// one minified module graph instead of ~200 files with their comments. The daemon keeps every
// module's source text in its heap (and node's TextDecoder copy of it while compiling), so the
// idle daemon is about 3 MiB smaller this way (bench/agent-memory.mjs). Lazy imports stay lazy
// (code splitting: the cloud link, provisioning and the image code are chunks loaded on use).
// bin/aos-agent.js runs the bundle when it exists, else dist/main.js. Run after tsc.
import { build } from 'esbuild';
import { nodeBundleOptions } from '@openaos/esbuild-plugins';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
// esbuild names chunks by content hash and never removes old ones.
await rm(join(root, 'dist/bundle'), { recursive: true, force: true });
await build(nodeBundleOptions({ root, entryPoints: ['dist/main.js', 'dist/install/install-worker.js'] }));
