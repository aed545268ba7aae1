'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { describeRole, type Actor } from '../../src/client/roles';
import { useLoad } from '../../src/client/hooks';
import { SessionContext } from '../../src/client/session';
import { api } from '../../src/client/trpc';

function navigationFor(actor: Actor): { href: string; label: string }[] {
  const items = [{ href: '/services', label: 'Services' }];
  if (actor.role === 'oem')
    items.push(
      { href: '/units', label: 'Units' },
      { href: '/unit-sets', label: 'Unit sets' },
      { href: '/subjects', label: 'Subjects' },
    );
  if (actor.role !== 'admin') items.push({ href: '/monitoring', label: 'Monitoring' });
  if (actor.role !== 'admin') items.push({ href: '/alerts', label: 'Alerts' });
  if (actor.role === 'admin') items.push({ href: '/admin', label: 'Admin' });
  items.push({ href: '/credential', label: 'Credential' });
  return items;
}

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const { data: actor, isLoading } = useLoad(() => api.auth.me.query());
  useEffect(() => {
    if (!isLoading && !actor) router.replace('/sign-in');
  }, [actor, isLoading, router]);
  if (!actor) return <main className="loading">Loading…</main>;
  return (
    <SessionContext.Provider value={actor}>
      <header className="top">
        <Link href="/services" className="brand">
          OpenAos
        </Link>
        <nav>
          {navigationFor(actor).map((item) => (
            <Link key={item.href} href={item.href} className={pathname.startsWith(item.href) ? 'active' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span className="who">
          {actor.email} · {describeRole(actor.role)}
          {actor.organisationName ? ` · ${actor.organisationName}` : ''}
          <button
            type="button"
            className="button-link"
            onClick={() => {
              void api.auth.signOut.mutate().then(() => router.replace('/sign-in'));
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main className="content">{children}</main>
    </SessionContext.Provider>
  );
}
