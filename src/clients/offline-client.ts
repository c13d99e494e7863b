import { registerSW } from 'virtual:pwa-register';

/** What the service worker tells the app: ready for offline use, or a new version is waiting. */
export interface OfflineEvents {
  onOfflineReady(): void;
  onUpdateWaiting(apply: () => Promise<void>): void;
  onError(message: string): void;
}

/**
 * Registers the service worker (built by vite-plugin-pwa, same origin) so the app works offline
 * after the first visit. A new version is announced through `onUpdateWaiting`; it is applied only
 * when the user calls `apply` (the page reloads then), never on its own mid-fit.
 * No-op where service workers are unavailable (file://, private modes): the app runs online as before.
 */
export function registerOffline(events: OfflineEvents): void {
  if (!('serviceWorker' in navigator)) return;
  const update = registerSW({
    immediate: true,
    onOfflineReady: () => events.onOfflineReady(),
    onNeedRefresh: () => events.onUpdateWaiting(() => update(true)),
    onRegisterError: (e: unknown) => events.onError(e instanceof Error ? e.message : String(e)),
  });
}
