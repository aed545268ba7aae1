// Bundles the daemon's CLI (dist/main.js, and the install worker it spawns) into dist/bundle/:
// one minified module graph instead of ~200 files with their comments. The daemon keeps every
// module's source text in its heap (and node's TextDecoder copy of it while compiling), so the
// idle daemon is about 3 MiB smaller this way (bench/agent-memory.mjs). Lazy imports stay lazy
// (code splitting: the cloud link, provisioning and the image code are chunks loaded on use).
// bin/aos-agent.js runs the bundle when it exists, else dist/main.js. Run after tsc.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
// esbuild names chunks by content hash and never removes old ones.
await rm(join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist/main.js'), join(root, 'dist/install/install-worker.js')],
  outdir: join(root, 'dist/bundle'),
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies (ws, node-forge) call require(); an ES module has none of its own.
  plugins: [loadNodeForgeOnDemand()],
  banner: {
    js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
  },
});

/**
 * node-forge's index requires all of forge (ciphers, TLS, PKCS#12, prime tables…: about 3 MiB
 * resident), but the running daemon only reads certificate names with forge's ASN.1 reader
 * (`@openaos/pki`'s distinguished-name.ts, for the AosCert `kid` and the desired-status signer's
 * OU). In the bundle, `node-forge` is the same forge object with `asn1` and `util` loaded, and the
 * rest of forge loaded on the first access to anything else (provisioning's CSR, PKCS#12): the
 * submodules attach themselves to that one object, so callers see what the index gives them.
 */
function loadNodeForgeOnDemand() {
  const namespace = 'forge-on-demand';
  return {
    name: namespace,
    setup(build) {
      build.onResolve({ filter: /^node-forge$/ }, (args) => ({
        path: 'node-forge',
        namespace,
        pluginData: { resolveDir: args.resolveDir },
      }));
      build.onLoad({ filter: /.*/, namespace }, (args) => ({
        resolveDir: args.pluginData.resolveDir,
        loader: 'js',
        contents: `
const forge = require('node-forge/lib/forge.js');
require('node-forge/lib/asn1.js');
require('node-forge/lib/util.js');
const loaded = new Set(['asn1', 'util']);
let isWhole = false;
module.exports = new Proxy(forge, {
  get(target, key) {
    if (!isWhole && !loaded.has(key)) {
      require('node-forge/lib/index.js');
      isWhole = true;
    }
    return target[key];
  },
});
`,
      }));
    },
  };
}
