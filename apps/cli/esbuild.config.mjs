// Bundles the `aos` command line (dist/main.js) into dist/bundle/: one minified module graph
// instead of the hundreds of files of dist/ and node_modules that node would otherwise resolve,
// read and compile on every run (`aos` is started hundreds of times by scripts and the tests).
// Code splitting keeps each command's code in a chunk that its action imports on use, so
// `aos --help` or `aos status` load neither the packager, the image builder nor config.yaml's
// schemas. bin/aos.js runs the bundle when it exists, else dist/main.js. Run after tsc.
import { build } from 'esbuild';
import { nodeBundleOptions } from '@openaos/esbuild-plugins';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
// esbuild names chunks by content hash and never removes old ones.
await rm(join(root, 'dist/bundle'), { recursive: true, force: true });
const result = await build({
  ...nodeBundleOptions({ root, entryPoints: ['dist/main.js'], plugins: [sourceDateEpochFromItsModule()] }),
  metafile: process.env.AOS_BUNDLE_METAFILE !== undefined,
});
if (result.metafile) {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(process.env.AOS_BUNDLE_METAFILE, JSON.stringify(result.metafile));
}

/**
 * env.ts runs on every start and needs one function of `@openaos/image`, parseSourceDateEpoch
 * (shared with the cloud so both accept the same SOURCE_DATE_EPOCH). The package's index would
 * bring in the image builder and, through it, config.yaml's parser and the tar code: in the bundle,
 * env.ts imports the module that defines the function instead (esbuild fails the build if env.ts
 * ever imports something that module does not export).
 */
function sourceDateEpochFromItsModule() {
  const name = 'source-date-epoch-from-its-module';
  return {
    name,
    setup(build) {
      build.onResolve({ filter: /^@openaos\/image$/ }, async (args) => {
        if (!/[\\/]apps[\\/]cli[\\/]dist[\\/]env\.js$/.test(args.importer)) return undefined;
        const index = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir });
        if (index.errors.length > 0) return { errors: index.errors };
        return { path: join(dirname(index.path), 'source-date-epoch.js') };
      });
    },
  };
}
