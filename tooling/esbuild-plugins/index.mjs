// esbuild settings and plugins shared by the agent's and the CLI's bundles (README.md).
import { join } from 'node:path';

/**
 * The build options of a Node program's bundle: `entryPoints` (relative to `root`, tsc's output)
 * bundled into `<root>/dist/bundle/` as one minified ES module graph, code-split so that lazy
 * imports stay chunks loaded on use, with node-forge loaded on demand after `plugins`. CommonJS
 * dependencies (ws, node-forge) call require(), which an ES module lacks: the banner defines it.
 */
export function nodeBundleOptions({ root, entryPoints, plugins = [] }) {
  return {
    entryPoints: entryPoints.map((entry) => join(root, entry)),
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
    plugins: [...plugins, loadNodeForgeOnDemand()],
    banner: {
      js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
    },
  };
}

/**
 * node-forge's index requires all of forge (ciphers, TLS, PKCS#12, prime tables…: about 3 MiB
 * resident), while most code paths need only forge's ASN.1 reader (`@openaos/pki`'s
 * distinguished-name.ts: certificate names, AosCert key ids). In the bundle, `node-forge` is the
 * same forge object with `asn1` and `util` loaded, and the rest of forge loaded on the first access
 * to anything else (a CSR, PKCS#12, issuing credentials): the submodules attach themselves to that
 * one object, so callers see what the index gives them. The bundle must define `require` (the
 * createRequire banner of both configs).
 */
export function loadNodeForgeOnDemand() {
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
