// A small external store: one immutable state, replaced by `update`, read by
// components through `useAppState(selector)`. Bursts of updates (progress events
// from several runs) are coalesced into one render.
import { useSyncExternalStore } from 'react';
import type { AppState } from './app-state.ts';
import { initialState } from './app-state.ts';

type Listener = () => void;

const NOTIFY_DELAY_MS = 30;

let state: AppState = initialState;
const listeners = new Set<Listener>();
let notifyTimer: ReturnType<typeof setTimeout> | null = null;

function notify(): void {
  notifyTimer = null;
  for (const listener of listeners) listener();
}

export function getState(): AppState {
  return state;
}

/** Replaces the state; `immediate` renders now (user actions), else within a few ms (events). */
export function update(change: (current: AppState) => AppState, immediate = true): void {
  const next = change(state);
  if (next === state) return;
  state = next;
  if (immediate) {
    if (notifyTimer) clearTimeout(notifyTimer);
    notify();
  } else if (!notifyTimer) {
    notifyTimer = setTimeout(notify, NOTIFY_DELAY_MS);
  }
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Selects a slice; the selector must return a value already in the state (or a primitive). */
export function useAppState<T>(selector: (current: AppState) => T): T {
  return useSyncExternalStore(subscribe, () => selector(state));
}
