// `node --import ./local/register.mjs`: template files load as text (see text-loader.mjs).
import { register } from 'node:module';

register('./text-loader.mjs', import.meta.url);
