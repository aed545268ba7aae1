'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useAction } from '../../src/client/hooks';
import { api } from '../../src/client/trpc';
import { Field, Problem } from '../../src/client/ui';

export default function SignInPage() {
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { run, problem, isPending } = useAction();
  return (
    <main className="sign-in">
      <h1>OpenAos cloud</h1>
      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => api.auth.signIn.mutate({ email, password })).then((result) => {
            if (result.ok)
              router.replace(
                result.value.user.role === 'admin'
                  ? '/admin'
                  : result.value.user.role === 'oem'
                    ? '/units'
                    : '/services',
              );
          });
        }}
      >
        <h2>Sign in</h2>
        <Field label="Email" name="email" problem={problem}>
          <input
            name="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </Field>
        <Field label="Password" name="password" problem={problem}>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Problem problem={problem} />
        <button type="submit" disabled={isPending}>
          {isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          First start? The admin user is <code>admin</code>; its password was printed by the server when it started (or
          is <code>OPENAOS_ADMIN_PASSWORD</code>).
        </p>
      </form>
    </main>
  );
}
