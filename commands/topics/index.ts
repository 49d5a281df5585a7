// mq topics <verb>: create, list, describe, alter, trim, delete, decommission-partition, recommission-partition.
import { Command } from 'commander';
import type { Context } from '../context.js';
import alter from './alter.js';
import create from './create.js';
import deleteTopic from './delete.js';
import describe from './describe.js';
import list from './list.js';
import trim from './trim.js';
import decommissionPartition from './decommission-partition.js';
import recommissionPartition from './recommission-partition.js';

export default function topics(ctx: Context): Command {
  return new Command('topics')
    .description('Create, list, describe, alter, trim and delete topics; decommission partitions')
    .alias('topic')
    .addCommand(create(ctx))
    .addCommand(list(ctx))
    .addCommand(describe(ctx))
    .addCommand(alter(ctx))
    .addCommand(trim(ctx))
    .addCommand(deleteTopic(ctx))
    .addCommand(decommissionPartition(ctx))
    .addCommand(recommissionPartition(ctx));
}
