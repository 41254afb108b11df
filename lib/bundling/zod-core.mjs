/** `z.core` for the Lambda bundles: zod's core without its locales (see zod.mjs beside this file). */
export * from '../../node_modules/zod/v4/core/index.js';

/** Stands for zod's translated locales, which the bundles leave out. */
export const locales = Object.freeze({});
