'use client';
import { useCallback, useState } from 'react';
import type { InstanceStateView } from '@openaos/api';
import { FormCard } from './form-card';
import { useAction } from './hooks';
import { useLiveRefresh } from './live';
import { api } from './trpc';
import { Field, formatBytes, formatTime } from './ui';

/**
 * An instance's state (state.dat) as the cloud keeps it, by unit and instance; the owning SP can
 * replace it (sent to the unit with updateState). Follows the unit's changes live once shown.
 */
export function StatePanel({ serviceId, canSet }: { serviceId: string; canSet: boolean }) {
  const [unit, setUnit] = useState('');
  const [instance, setInstance] = useState('0');
  const [shown, setShown] = useState<InstanceStateView | null>(null);
  const [draft, setDraft] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const lookup = useAction();
  const save = useAction();
  const read = useCallback(
    async (input: { unit: string; instance: number }) => {
      const result = await api.state.get.query({ serviceId, ...input });
      setShown(result);
      return result;
    },
    [serviceId],
  );
  const refresh = useCallback(async () => {
    if (shown) await read({ unit: shown.unit.systemId, instance: shown.instance });
  }, [read, shown]);
  useLiveRefresh(refresh, { kinds: ['state-changed'], serviceId });
  return (
    <section data-testid="state">
      <FormCard
        title="Instance state"
        submitLabel="Show state"
        action={lookup}
        onSubmit={() => {
          void lookup
            .run(() => read({ unit: unit.trim(), instance: Number(instance) }))
            .then((result) => {
              if (result.ok) setDraft(result.value.content ?? '');
            });
        }}
      >
        <Field label="Unit" name="unit" problem={lookup.problem} hint="the unit's system ID">
          <input value={unit} onChange={(event) => setUnit(event.target.value)} name="unit" />
        </Field>
        <Field label="Instance" name="instance" problem={lookup.problem}>
          <input
            value={instance}
            onChange={(event) => setInstance(event.target.value)}
            name="instance"
            inputMode="numeric"
          />
        </Field>
      </FormCard>
      {shown ? (
        <div className="card">
          <p data-testid="state-facts">
            {shown.content === null
              ? 'The cloud holds no state for this instance yet.'
              : `${formatBytes(shown.size)} from the ${shown.source === 'cloud' ? 'cloud' : 'unit'}, ${formatTime(shown.updatedAt)}${
                  shown.isDelivered === false ? ' — waiting for the unit to take it' : ''
                }`}
          </p>
          <pre data-testid="state-content">{shown.content ?? ''}</pre>
        </div>
      ) : null}
      {shown && canSet ? (
        <FormCard
          title="Replace the state"
          submitLabel="Send to the unit"
          action={save}
          notice={notice}
          onSubmit={() => {
            setNotice(null);
            void save
              .run(() =>
                api.state.set.mutate({
                  serviceId,
                  unit: shown.unit.systemId,
                  instance: shown.instance,
                  subjectId: shown.subjectId,
                  content: draft,
                }),
              )
              .then((result) => {
                if (!result.ok) return;
                setShown(result.value);
                setNotice('Saved; the unit gets it now, or when it next connects.');
              });
          }}
        >
          <Field label="State" name="content" problem={save.problem}>
            <textarea value={draft} onChange={(event) => setDraft(event.target.value)} name="content" rows={6} />
          </Field>
        </FormCard>
      ) : null}
    </section>
  );
}
