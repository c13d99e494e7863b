// Node resolve hook (module.register) that lets plain node/tsx load tfjs-core's ESM gradient
// registrations (`@tensorflow/tfjs-core/dist/register_all_gradients`). tfjs-core ships dist/*.js
// as bundler-style ESM with extensionless relative imports, which Node refuses; Vite and vitest
// resolve them on their own. Retries such a specifier with `.js`, only inside @tensorflow/*.

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const fromTfjs = context.parentURL?.includes('/node_modules/@tensorflow/') ?? false;
    if (!fromTfjs || !specifier.startsWith('.') || specifier.endsWith('.js')) throw err;
    return nextResolve(`${specifier}.js`, context);
  }
}
