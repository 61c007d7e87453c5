// Loaded with `node --import` in a child process: from there on `@opentelemetry/api` cannot be
// resolved, as in an app that never installed it (Node's own error, from Node's own resolver hook).
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === '@opentelemetry/api' || specifier.startsWith('@opentelemetry/api/')) {
      const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }
    return nextResolve(specifier, context);
  },
});
