import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

// Builds the app once and serves dist/ as a static site, as a user's host would.
let server: PreviewServer | undefined;

export default async function setup(project: TestProject) {
  await build({ logLevel: 'warn' });
  server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  return async () => {
    await server?.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
