#!/usr/bin/env node
import { main } from '../dist/commands/index.js';

// No forced exit: the process ends when the command has closed everything it opened, and a handle
// left open shows as a process that does not end (test/integration/commands-exit-by-themselves.test.ts).
process.exitCode = await main(process.argv.slice(2));
