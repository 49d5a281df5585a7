// mq cluster up: a development cluster (etcd + N brokers on loopback) in the foreground until Ctrl-C.
import { Command } from 'commander';
import { runDevCluster } from '../src/cli/dev-cluster.js';
import type { Context } from './context.js';
import { int } from './options.js';

export default function cluster(ctx: Context): Command {
  const up = new Command('up')
    .description('Start etcd (from PATH) and N brokers in cluster mode on 127.0.0.1; Ctrl-C stops them all')
    .option('--brokers <n>', 'how many brokers', int(1, 32), 3)
    .option('--data <dir>', 'folder for etcd, the brokers\' data and their log files', './mq-cluster')
    .addHelpText('after', `
Prints etcd's URL, each broker's address and the bootstrap string. Cluster mode has no replication
yet: create topics with replication factor 1.

Examples:
  mq cluster up
  mq cluster up --brokers 5 --data /tmp/mq-dev`)
    .action(async (o: { brokers: number; data: string }) => {
      await runDevCluster({ brokers: o.brokers, dataDir: o.data, signal: ctx.signal, line: async (text) => { await ctx.out.line(text); } });
    });
  return new Command('cluster').description('Run a local development cluster').addCommand(up);
}
