#!/usr/bin/env node
// Runs the TypeScript CLI straight from source, so `npx reportstream` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli.ts');
