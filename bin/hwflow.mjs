#!/usr/bin/env node
// Entry point: registers tsx so the CLI (and the user's own .ts design scripts) load without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
