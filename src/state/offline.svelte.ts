import { getContext, setContext } from 'svelte';
import { registerOffline } from '../clients/offline-client.ts';

/** Offline readiness and a waiting update, for the shell's banner. */
export class OfflineState {
  #ready = $state(false);
  #update = $state.raw<(() => Promise<void>) | null>(null);
  #error = $state<string | null>(null);

  get ready() { return this.#ready; }
  get updateWaiting() { return this.#update !== null; }
  get error() { return this.#error; }

  /** Registers the service worker once the first screen is up (it must not compete with it). */
  start(): void {
    registerOffline({
      onOfflineReady: () => (this.#ready = true),
      onUpdateWaiting: (apply) => (this.#update = apply),
      onError: (m) => (this.#error = m),
    });
  }

  /** Reloads into the new version (the user's click; a running fit would be lost, so the banner says so). */
  async applyUpdate(): Promise<void> {
    await this.#update?.();
  }
}

const KEY = Symbol('offline');
export const setOfflineState = (s: OfflineState) => setContext(KEY, s);
export const useOfflineState = () => getContext<OfflineState>(KEY);
