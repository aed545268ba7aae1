'use client';
import type { ReactNode } from 'react';

/** A button that asks the browser's `confirm(question)` and runs `onConfirm` only when the user agrees. */
export function ConfirmButton({
  question,
  className,
  onConfirm,
  children,
}: {
  question: string;
  className: string;
  onConfirm: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={className}
      onClick={() => {
        if (confirm(question)) onConfirm();
      }}
    >
      {children}
    </button>
  );
}
