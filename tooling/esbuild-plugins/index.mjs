// esbuild plugins shared by the agent's and the CLI's bundles (README.md).

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
