#!/usr/bin/env node
/** `npm run console:build`: the API types from the route declarations, then the Vite build (console/dist). */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
await import('./generate-api.ts');
const { build } = await import('vite');
await build({ configFile: resolve(here, '../vite.config.ts'), logLevel: 'warn' });
console.log(`built ${resolve(here, '../dist')}`);
