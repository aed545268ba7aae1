/**
 * Whether a relative symlink target, written in an entry whose parent folder is `depth`
 * levels below the root, stays inside the root.
 *
 * The rule is stricter than lexical normalisation on purpose: ".." may only lead the target
 * ("../../lib/x.so"), never follow a name ("sub/../x"). A name in the middle of a target may
 * itself be a symlink, and "link/.." climbs from wherever that link points, not from the
 * folder that holds it — so lexically resolving "link/../../etc" proves nothing. With leading
 * ".." only, the climb walks real folders (entries never pass through symlinks), and every
 * later step descends, into real folders or into links that obey the same rule.
 */
export function isConfinedLinkTarget(target: string, depth: number): boolean {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return false;
  let climbs = 0;
  let hasDescended = false;
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (hasDescended) return false;
      climbs += 1;
    } else {
      hasDescended = true;
    }
  }
  return climbs <= depth;
}
