'use client';
import { createContext, useContext } from 'react';
import type { Actor } from '@openaos/api';

export const SessionContext = createContext<Actor | null>(null);

/** The signed-in user inside the console layout (never null there). */
export function useActor(): Actor {
  const actor = useContext(SessionContext);
  if (!actor) throw new Error('useActor outside the signed-in console');
  return actor;
}
