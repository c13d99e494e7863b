import { mount } from 'svelte';
import App from './App.svelte';
import EmbedApp from './ui/embed/EmbedApp.svelte';
import { parseEmbedParams } from './core/export/embed-protocol.ts';
import './ui/app.css';

// ?embed=... renders the report alone, for a host page's iframe (no chrome, no service worker)
const embed = parseEmbedParams(location.search);
const target = document.getElementById('app')!;
if (embed) mount(EmbedApp, { target, props: { params: embed } });
else mount(App, { target });
