'use client';

/** A success message for the user (the counterpart of `Problem`); renders nothing without a message. */
export function Notice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="notice" role="status">
      {message}
    </p>
  );
}
