import { execFileSync } from 'node:child_process';

/** One entry of a hand-made (possibly hostile) archive. */
export interface RawTarEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'link' | 'chr' | 'blk' | 'fifo';
  data?: string;
  linkname?: string;
  mode?: number;
  mtime?: number;
}

const SCRIPT = `
import io, json, sys, tarfile
spec = json.loads(sys.argv[1])
types = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'link': tarfile.LNKTYPE,
         'chr': tarfile.CHRTYPE, 'blk': tarfile.BLKTYPE, 'fifo': tarfile.FIFOTYPE}
mode = 'w:gz' if spec['gzip'] else 'w'
fmt = tarfile.GNU_FORMAT if spec['format'] == 'gnu' else tarfile.PAX_FORMAT
with tarfile.open(spec['path'], mode, format=fmt) as tar:
    for e in spec['entries']:
        info = tarfile.TarInfo(e['name'])
        info.type = types[e.get('type', 'file')]
        info.mode = e.get('mode', 0o755 if info.type == tarfile.DIRTYPE else 0o644)
        info.mtime = e.get('mtime', 946684800)
        if 'linkname' in e: info.linkname = e['linkname']
        data = e.get('data', '').encode()
        if info.type == tarfile.REGTYPE:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        else:
            tar.addfile(info)
`;

/**
 * Write a tar with Python's tarfile, which writes names, links and types exactly as asked
 * (absolute paths, "..", devices): the way to build hostile archives for tests. Python's
 * tarfile is also what aos-signer uses, so it doubles as a compatibility check.
 */
export function buildTarWithPython(
  path: string,
  entries: RawTarEntry[],
  options: { gzip?: boolean; format?: 'gnu' | 'pax' } = {},
): string {
  const spec = { path, entries, gzip: options.gzip ?? false, format: options.format ?? 'pax' };
  execFileSync('python3', ['-c', SCRIPT, JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return path;
}
