// mq groups <verb>: list, describe, reset-offsets, delete-offsets, delete.
import { Command } from 'commander';
import type { Context } from '../context.js';
import deleteOffsets from './delete-offsets.js';
import deleteGroup from './delete.js';
import describe from './describe.js';
import list from './list.js';
import resetOffsets from './reset-offsets.js';

export default function groups(ctx: Context): Command {
  return new Command('groups')
    .description('List, describe, reset or delete the offsets of, and delete consumer groups')
    .alias('group')
    .addCommand(list(ctx))
    .addCommand(describe(ctx))
    .addCommand(resetOffsets(ctx))
    .addCommand(deleteOffsets(ctx))
    .addCommand(deleteGroup(ctx));
}
