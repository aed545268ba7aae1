'use client';
import type { ReactNode } from 'react';
import type { ProblemInfo } from './trpc';
import { Notice } from './notice';
import { Problem } from './ui';

/**
 * A console form in a card: heading, fields, the action's problem, an optional notice and the
 * submit button (disabled while the action runs). The browser's own submit is always prevented,
 * so `onSubmit` only has to start the action.
 */
export function FormCard(props: {
  title: string;
  submitLabel: string;
  /** The form's action (`useAction()`): its problem is shown, and submit waits while it runs. */
  action: { problem: ProblemInfo | null; isPending: boolean };
  notice?: string | null;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      className="card"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <h2>{props.title}</h2>
      {props.children}
      <Problem problem={props.action.problem} />
      <Notice message={props.notice} />
      <button type="submit" disabled={props.action.isPending}>
        {props.submitLabel}
      </button>
    </form>
  );
}
