import { execFileSync } from 'node:child_process';

const MAKE_ARCHIVE = `
import shutil, sys
print(shutil.make_archive(sys.argv[1], 'gztar', sys.argv[2]))
`;

const EXTRACT = `
import tarfile, sys
with tarfile.open(sys.argv[1]) as tar:
    tar.extractall(sys.argv[2], filter='fully_trusted')
`;

const LIST = `
import tarfile, sys, json
with tarfile.open(sys.argv[1]) as tar:
    print(json.dumps([m.name + ('/' if m.isdir() and m.name != '.' else '') for m in tar.getmembers()]))
`;

/**
 * shutil.make_archive(base, 'gztar', rootDir) exactly as aos-signer calls it (entries "./…",
 * gzip level 9, owner and mtimes from disk). Returns the archive path (base + ".tar.gz").
 */
export function makeArchiveWithPython(base: string, rootDir: string): string {
  return execFileSync('python3', ['-c', MAKE_ARCHIVE, base, rootDir], { encoding: 'utf8' }).trim();
}

/** Extract with Python's tarfile, trusting the archive (test input we made ourselves). */
export function extractWithPython(archive: string, directory: string): void {
  execFileSync('python3', ['-c', EXTRACT, archive, directory]);
}

/** Member names as Python's tarfile reports them (folders with a trailing "/", the root as "."). */
export function listWithPython(archive: string): string[] {
  return JSON.parse(execFileSync('python3', ['-c', LIST, archive], { encoding: 'utf8' })) as string[];
}

const WRITE_ENTRIES = `
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as tar:
    for e in json.loads(sys.argv[2]):
        info = tarfile.TarInfo(e['name'])
        if e.get('dir'):
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        else:
            data = e.get('data', '').encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
`;

/** A tar.gz holding exactly the given names (even hostile ones such as "../x"), written by Python's tarfile. */
export function writeEntriesWithPython(
  archive: string,
  entries: { name: string; data?: string; dir?: boolean }[],
): void {
  execFileSync('python3', ['-c', WRITE_ENTRIES, archive, JSON.stringify(entries)]);
}
