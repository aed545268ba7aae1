'use client';
import { useState } from 'react';
import { DataTable } from '../../../src/client/data-table';
import { FormCard } from '../../../src/client/form-card';
import { useAction, useLoad } from '../../../src/client/hooks';
import { Notice } from '../../../src/client/notice';
import { useActor } from '../../../src/client/session';
import { api } from '../../../src/client/trpc';
import { Field, Problem, formatTime } from '../../../src/client/ui';

function download(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function PasswordForm({ userId }: { userId: string }) {
  const [password, setPassword] = useState('');
  const [isChanged, setChanged] = useState(false);
  const action = useAction();
  return (
    <FormCard
      title="Change password"
      submitLabel="Change password"
      action={action}
      notice={isChanged ? 'Password changed.' : null}
      onSubmit={() => {
        setChanged(false);
        void action
          .run(() => api.users.setPassword.mutate({ id: userId, password }))
          .then((result) => {
            if (result.ok) {
              setPassword('');
              setChanged(true);
            }
          });
      }}
    >
      <Field label="New password" name="password" problem={action.problem} hint="At least 12 characters.">
        <input
          name="newPassword"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
    </FormCard>
  );
}

export default function CredentialPage() {
  const actor = useActor();
  const list = useLoad(() => api.credentials.list.query());
  const action = useAction();
  const [issued, setIssued] = useState<string | null>(null);
  return (
    <>
      <h1>Credential and password</h1>
      <div className="card">
        <p>
          Your credential is a PKCS#12 file (<code>aos-user-{actor.role}.p12</code>, empty password) issued by this
          cloud. It signs your service packages and authenticates the <code>aos</code> command line. Keep it in{' '}
          <code>~/.aos/security/</code> and never share it.
        </p>
        <button
          type="button"
          disabled={action.isPending}
          onClick={() =>
            void action
              .run(() => api.credentials.issue.mutate())
              .then((result) => {
                if (result.ok) {
                  download(result.value.fileName, result.value.pkcs12Base64);
                  setIssued(result.value.fingerprint256);
                  void list.reload();
                }
              })
          }
        >
          Download credential
        </button>
        <Notice
          message={
            issued
              ? `Issued a new credential (${issued.slice(0, 23)}…). Each download is a new credential; revoke the ones you no longer use.`
              : null
          }
        />
        <Problem problem={action.problem} />
      </div>
      <h2>Issued credentials</h2>
      {list.data && list.data.length === 0 ? <p className="muted">None yet.</p> : null}
      {list.data && list.data.length > 0 ? (
        <DataTable headers={['Fingerprint (SHA-256)', 'Issued', 'Status', '']}>
          {list.data.map((credential) => (
            <tr key={credential.fingerprint256}>
              <td>
                <code className="wrap">{credential.fingerprint256}</code>
              </td>
              <td>{formatTime(credential.createdAt)}</td>
              <td>{credential.revokedAt ? `revoked ${formatTime(credential.revokedAt)}` : 'active'}</td>
              <td className="actions">
                {credential.revokedAt ? null : (
                  <button
                    type="button"
                    className="button-small button-danger"
                    onClick={() =>
                      void action
                        .run(() => api.credentials.revoke.mutate({ fingerprint256: credential.fingerprint256 }))
                        .then(list.reload)
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <PasswordForm userId={actor.userId} />
    </>
  );
}
