import { lstat, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ArchiveError, DEFAULT_MTIME, scanDirectory, type DirectoryEntry } from '@openaos/archive';
import { parseServiceConfig, type ServiceConfig } from '@openaos/config';
import { signJws } from '@openaos/pki';
import { hashBuffer } from './hash-stream.js';
import { PackageError } from './package-error.js';
import { createSignaturePayload } from './signature-payload.js';
import { toPackageError } from './to-package-error.js';
import type { BuildProgress, BuildServicePackageOptions, BuiltServicePackage, SignedFile } from './types.js';
import { writeInnerArchive, writeOuterArchive } from './write-archives.js';

/** Progress is reported per file and at least every this many bytes. */
const PROGRESS_STEP = 1024 * 1024;

/**
 * Build the signed service package in aos-signer's layout (reference §2.5–2.6): an outer
 * service.tar.gz holding config.yaml, package.sign and the inner service.tar.gz (config.yaml,
 * service/ = the source folder, default_state.dat when the state is required).
 *
 * One pass over the source files (pack → gzip → hash → temp file); the outer archive then
 * wraps the inner one. Both are written to a temp folder beside the output and renamed into
 * place, so a failed build never leaves a partial service.tar.gz. The same inputs (files,
 * modes, config, credential, mtime) give the same bytes.
 */
export async function buildServicePackage(options: BuildServicePackageOptions): Promise<BuiltServicePackage> {
  const serviceDir = resolve(options.serviceDir);
  const mtime = options.mtime ?? DEFAULT_MTIME;
  const signedAt = options.signedAt ?? new Date();
  const configPath = join(serviceDir, 'meta', 'config.yaml');
  const configBytes = await readFile(configPath).catch((error: unknown) => {
    throw new PackageError(
      'not-found',
      `signing ${serviceDir}: cannot read meta/config.yaml (${(error as Error).message}); run from the service folder or create it with "aos init"`,
      {
        entry: 'meta/config.yaml',
        cause: error,
      },
    );
  });
  let config: ServiceConfig;
  try {
    config = parseServiceConfig(configBytes.toString('utf8'), { file: configPath, forSigning: true });
  } catch (error) {
    throw toPackageError(error, `signing ${serviceDir}`);
  }

  const state = await findStateFile(serviceDir, config);
  const sourceDir = join(serviceDir, config.build.source_folder);
  const outputPath = resolve(options.outputPath ?? join(serviceDir, config.build.package_folder, 'service.tar.gz'));
  const progress = createProgressReporter(options.onProgress);

  const entries = await scanSource(sourceDir, config);
  const files = entries.filter((entry) => entry.type === 'file');
  const totalBytes = files.reduce((sum, entry) => sum + entry.size, 0);
  progress.start(files.length, totalBytes);

  await mkdir(dirname(outputPath), { recursive: true });
  const tempDir = await mkdtemp(join(dirname(outputPath), `.${basename(outputPath)}-`));
  try {
    const innerPath = join(tempDir, 'inner.tar.gz');
    const inner = await writeInnerArchive(innerPath, {
      configBytes,
      ...(state === undefined ? {} : { state }),
      entries,
      mtime,
      onBytes: progress.addBytes,
      onFile: progress.addFile,
    }).catch((error: unknown) => {
      throw toPackageError(error, `packing ${config.build.source_folder}/`);
    });

    progress.phase('signing');
    const signedFiles: SignedFile[] = [
      { name: 'service.tar.gz', hash: inner.hash, size: inner.size },
      { name: 'config.yaml', hash: hashBuffer(configBytes), size: configBytes.length },
    ];
    const signature = signJws(createSignaturePayload(signedFiles), options.credential);

    progress.phase('writing');
    const outerPath = join(tempDir, 'service.tar.gz');
    const digests = await writeOuterArchive(outerPath, {
      configBytes,
      signature,
      inner: { path: innerPath, size: inner.size },
      mtime,
      signedAt,
    }).catch((error: unknown) => {
      throw toPackageError(error, `writing ${outputPath}`);
    });
    const { size } = await stat(outerPath);
    await rename(outerPath, outputPath).catch((error: unknown) => {
      throw new PackageError(
        'write-failed',
        `writing ${outputPath}: ${(error as Error).message}; choose another output path`,
        { cause: error },
      );
    });
    return { path: outputPath, size, digests, config, files: signedFiles };
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** meta/<state.filename> when configuration.state.required (aos-signer ships it as default_state.dat). */
async function findStateFile(
  serviceDir: string,
  config: ServiceConfig,
): Promise<{ path: string; size: number } | undefined> {
  const settings = config.configuration.state;
  if (settings?.required !== true) return undefined;
  const path = join(serviceDir, 'meta', settings.filename);
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new PackageError(
      'missing-state',
      `signing ${serviceDir}: configuration.state.required is true but meta/${settings.filename} ${info === undefined ? 'does not exist' : 'is not a regular file'}; ` +
        'create it (it becomes the default state) or set state.required to false',
      { entry: `meta/${settings.filename}` },
    );
  }
  return { path, size: info.size };
}

async function scanSource(sourceDir: string, config: ServiceConfig): Promise<DirectoryEntry[]> {
  const folder = config.build.source_folder;
  const info = await stat(sourceDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new PackageError(
      'not-found',
      `signing: the source folder ${folder}/ (build.source_folder) does not exist; put the service's files there`,
      {
        entry: folder,
      },
    );
  }
  let entries: DirectoryEntry[];
  try {
    entries = await scanDirectory(sourceDir, { symlinks: config.build.symlinks, label: folder });
  } catch (error) {
    if (error instanceof ArchiveError && error.code === 'link-escapes') {
      throw new PackageError('symlink', `scanning ${folder}/: ${error.message}`, {
        cause: error,
        ...(error.entry === undefined ? {} : { entry: error.entry }),
      });
    }
    throw toPackageError(error, `scanning ${folder}/`);
  }
  // In an image layer a ".wh." name deletes a file of the layers below; readers refuse them.
  const whiteout = entries.find((entry) => basename(entry.name).startsWith('.wh.'));
  if (whiteout !== undefined) {
    throw new PackageError(
      'bad-layout',
      `scanning ${folder}/: ${folder}/${whiteout.name} starts with ".wh.", which marks a deletion (whiteout) in container image layers; rename it`,
      { entry: `${folder}/${whiteout.name}` },
    );
  }
  return entries;
}

function createProgressReporter(onProgress: ((progress: BuildProgress) => void) | undefined) {
  let files = 0;
  let bytes = 0;
  let reportedBytes = 0;
  let totalFiles = 0;
  let totalBytes = 0;
  let phase: BuildProgress['phase'] = 'scanning';
  const report = (): void => {
    reportedBytes = bytes;
    onProgress?.({ phase, files, bytes, totalBytes, totalFiles });
  };
  return {
    start(fileCount: number, byteCount: number): void {
      totalFiles = fileCount;
      totalBytes = byteCount;
      onProgress?.({ phase: 'scanning', files: fileCount, bytes: 0, totalBytes, totalFiles });
      phase = 'packing';
      report();
    },
    addBytes(count: number): void {
      bytes += count;
      if (bytes - reportedBytes >= PROGRESS_STEP) report();
    },
    addFile(): void {
      files += 1;
      report();
    },
    phase(next: BuildProgress['phase']): void {
      phase = next;
      report();
    },
  };
}
