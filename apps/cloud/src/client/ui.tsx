'use client';
import { useState, type ReactNode } from 'react';
import type { ProblemInfo } from './trpc';

export function Field(props: {
  label: string;
  name: string;
  problem?: ProblemInfo | null;
  hint?: string;
  children: ReactNode;
}) {
  const message = props.problem?.fieldErrors[props.name];
  return (
    <label className={message ? 'field field-invalid' : 'field'}>
      <span className="field-label">{props.label}</span>
      {props.children}
      {props.hint && !message ? <span className="field-hint">{props.hint}</span> : null}
      {message ? (
        <span className="field-error" role="alert">
          {props.label} {message}
        </span>
      ) : null}
    </label>
  );
}

export function Problem({ problem }: { problem: ProblemInfo | null | undefined }) {
  if (!problem) return null;
  return (
    <p className="problem" role="alert">
      {problem.message}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      <p>{children}</p>
    </div>
  );
}

export function CopyText({ value, label }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy">
      <code data-testid={label ?? 'copy-value'}>{value}</code>
      <button
        type="button"
        className="button-small"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
