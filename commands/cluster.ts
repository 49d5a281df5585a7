// mq cluster up|status|down: a local development cluster (etcd + N brokers on loopback) in the background.
import { Command } from 'commander';
import { DEFAULT_BASE_PORT, startDevCluster, superviseDevCluster, upLines } from '../src/cli/dev-cluster.js';
import { devClusterStatus, STATUS_HEADERS, statusText } from '../src/cli/dev-cluster-status.js';
import { stopDevCluster } from '../src/cli/dev-cluster-stop.js';
import type { Context } from './context.js';
import { int } from './options.js';

const DATA_HELP = 'folder of the cluster: etcd\'s and the brokers\' data, their log files and cluster.json';
const DEFAULT_DATA = './mq-cluster';

export default function cluster(ctx: Context): Command {
  const line = async (text: string): Promise<void> => { await ctx.out.line(text); };
  const up = new Command('up')
    .description('Start etcd (from PATH) and N brokers on 127.0.0.1 in the background; print the bootstrap string')
    .option('--brokers <n>', 'how many brokers', int(1, 32), 3)
    .option('--data <dir>', DATA_HELP, DEFAULT_DATA)
    .option('--base-port <port>', 'broker i (1..N) listens on base-port+i-1, its admin endpoint on base-port+100+i-1', int(1, 65535), DEFAULT_BASE_PORT)
    .option('--foreground', 'stay in the foreground; Ctrl-C stops every process')
    .option('--secure', 'TLS and authentication everywhere: a throw-away CA, etcd with TLS and auth, SASL_SSL listeners, the authorizer, and DIR/client.properties for the admin user')
    .addHelpText('after', `
Returns once every broker answers Metadata. Prints etcd's URL, each broker's address and admin
address, and last the bootstrap string alone. Processes and ports are recorded in DIR/cluster.json;
their output goes to DIR/etcd.log and DIR/broker-N.log. Refuses when DIR has a running cluster or a
port is taken. Running it again after \`mq cluster down\` brings back the same topics and data.

--secure makes a CA and a 127.0.0.1 certificate with openssl in DIR/tls, starts etcd on https:// with
auth on (users root and mq, mq limited to /mq/), creates the SCRAM users admin and broker (both super
users), and starts the brokers with SASL_SSL listeners, inter-broker SASL as broker, the authorizer
on and admin.auth=basic (settings in DIR/broker-N.properties). DIR/client.properties holds the admin
user's settings (kcat -F FILE); passwords are random and only in those files (mode 0600).

Examples:
  mq cluster up
  B=$(mq cluster up --brokers 3 --data /tmp/mq-dev | tail -1); mq topics create orders -p 6 -b "$B"
  mq cluster up --base-port 19092 --foreground
  mq cluster up --secure --brokers 1 && kcat -F mq-cluster/client.properties -b 127.0.0.1:9092 -L`)
    .action(async (o: { brokers: number; data: string; basePort: number; foreground?: boolean; secure?: boolean }) => {
      const state = await startDevCluster({ brokers: o.brokers, dataDir: o.data, basePort: o.basePort, signal: ctx.signal, secure: o.secure === true });
      for (const text of upLines(state)) await line(text);
      if (!o.foreground) return;
      await ctx.out.flush();
      ctx.out.note('Ctrl-C stops the cluster.');
      await superviseDevCluster(state, ctx.signal, line);
    });
  const status = new Command('status')
    .description('Show whether the cluster\'s processes are alive, etcd\'s health, the brokers and the controller')
    .option('--data <dir>', DATA_HELP, DEFAULT_DATA)
    .option('--json', 'print one JSON object (running, etcd, brokers, controllerId, bootstrap)')
    .addHelpText('after', `
Exits 0 also when no cluster is running (it says so; --json gives "running": false).

Examples:
  mq cluster status
  mq cluster status --data /tmp/mq-dev --json`)
    .action(async (o: { data: string; json?: boolean }) => {
      const s = await devClusterStatus(o.data);
      if (o.json) return ctx.out.json(s);
      if (s.etcd === null && s.brokers.length === 0) return ctx.out.line(`no cluster running in ${o.data}`);
      const text = statusText(s);
      await ctx.out.line(text.etcd);
      await ctx.out.table(STATUS_HEADERS, text.rows);
      await ctx.out.line(text.summary);
    });
  const down = new Command('down')
    .description('Stop the cluster\'s brokers (cleanly, SIGTERM) and then etcd; only the processes recorded in DIR/cluster.json')
    .option('--data <dir>', DATA_HELP, DEFAULT_DATA)
    .addHelpText('after', `
A broker still running 20 s after SIGTERM gets SIGKILL (and a line saying so). Data stays in DIR.
With nothing running it says so and exits 0, like \`docker compose down\`.

Examples:
  mq cluster down
  mq cluster down --data /tmp/mq-dev`)
    .action(async (o: { data: string }) => {
      await stopDevCluster(o.data, line);
    });
  return new Command('cluster').description('Run a local development cluster').addCommand(up).addCommand(status).addCommand(down);
}
