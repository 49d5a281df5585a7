#!/usr/bin/env node
import { main } from '../dist/commands/index.js';

process.exitCode = await main(process.argv.slice(2));
// The command is done and has closed what it opened; a handle a library left open (a stopped broker was
// seen lingering after SIGTERM with its listeners, logs and etcd client closed) must not keep it alive.
setTimeout(() => process.exit(), 2000).unref();
