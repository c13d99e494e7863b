import { mount } from 'svelte';
import App from './App.svelte';
import './ui/app.css';

const target = document.getElementById('app')!;
// ?embed=... / ?chart=... renders the report alone, for a host page's iframe (no chrome, no
// service worker); its code loads only then, so the app's first screen does not carry it
const q = new URLSearchParams(location.search);
if (q.has('embed') || q.has('chart')) {
  void Promise.all([import('./ui/embed/EmbedApp.svelte'), import('./core/export/embed-protocol.ts')]).then(([m, p]) => {
    mount(m.default, { target, props: { params: p.parseEmbedParams(location.search)! } });
  });
} else mount(App, { target });
