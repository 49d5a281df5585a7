// mq broker start: runs an embedded-mode broker in the foreground until SIGINT/SIGTERM.
import { Command, Option } from 'commander';
import type { Context } from './context.js';

export default function broker(ctx: Context): Command {
  const start = new Command('start')
    .description('Start a broker in the foreground; Ctrl-C (or SIGTERM) shuts it down cleanly')
    .option('--data <dir>', 'data directory (default: ./mq-data, or log.dir from --config / MQ_LOG_DIR)')
    .option('--listen <host:port>', 'address to listen on, or Kafka listeners NAME://HOST:PORT,... (default: 127.0.0.1:9092, or listeners / MQ_LISTENERS)')
    .option('--config <file>', 'broker config file: key=value lines (Kafka names) or a JSON object')
    .option('--admin-listen <host:port>', 'admin HTTP endpoint for /metrics and /v1/* ("none" for no endpoint; default: 127.0.0.1:9644, or admin.listeners / MQ_ADMIN_LISTENERS)')
    .option('--id <n>', 'node id of this broker, unique in the cluster (default: 0, or node.id / MQ_NODE_ID)')
    .option('--etcd <urls>', 'cluster mode: etcd URL[,URL] holding the cluster metadata (etcd.endpoints / MQ_ETCD_ENDPOINTS); without it the broker runs alone in embedded mode')
    .option('--advertise <host:port>', 'address clients are told to dial (default: the listen address, or advertised.listeners)')
    .option('--rack <rack>', 'failure domain for rack-aware replica placement (broker.rack / MQ_BROKER_RACK)')
    .addOption(new Option('--log-level <level>', 'least severe log lines written to stderr (default: info, or log.level / MQ_LOG_LEVEL)').choices(['debug', 'info', 'warn', 'error']))
    .addOption(new Option('--log-format <format>', 'log lines as text or one JSON object each (default: pretty, or log.format / MQ_LOG_FORMAT)').choices(['pretty', 'json']))
    .addHelpText('after', `
Settings come from defaults < --config file < MQ_* environment (MQ_NUM_PARTITIONS=3 for num.partitions) < flags.

Examples:
  mq broker start
  mq broker start --data /var/lib/mq --listen 0.0.0.0:9092
  MQ_AUTO_CREATE_TOPICS_ENABLE=false mq broker start --config broker.properties
  mq broker start --id 1 --etcd http://127.0.0.1:2379 --listen 127.0.0.1:9093 --data ./b1

Cluster mode (--etcd): partitions are replicated (topics create -r 3, min.insync.replicas, acks=all);
when a broker dies the controller elects new leaders from the ISR, and after replica.restore.delay.ms
re-creates its replicas on the other brokers. Settings: replica.lag.time.max.ms, replica.restore.delay.ms,
broker.session.timeout.ms, min.insync.replicas, unclean.leader.election.enable (see man mq-broker).
An etcd with auth or TLS (https:// URLs): etcd.username, etcd.password, etcd.ssl.ca.location,
etcd.ssl.certificate.location, etcd.ssl.key.location (MQ_ETCD_USERNAME, MQ_ETCD_PASSWORD, ...).

Limits on clients: max.connections, max.connections.per.ip, connections.max.idle.ms,
socket.request.read.timeout.ms, queued.max.request.bytes, fetch.max.bytes, max.topics,
max.partitions.per.topic, max.partitions.per.request (see man mq-broker).`)
    .action(async (o) => {
      const config = await ctx.loadBrokerConfig({ file: o.config, env: ctx.env, flags: { data: o.data, listen: o.listen, adminListen: o.adminListen, logLevel: o.logLevel, logFormat: o.logFormat, ...clusterFlags(o) } });
      const running = await ctx.startBroker(config);
      await ctx.out.line(`mq broker listening on ${running.host}:${running.port} (data: ${config.dataDir})`);
      if (running.admin) await ctx.out.line(`mq admin listening on ${running.admin.host}:${running.admin.port} (/metrics, /v1/status)`);
      await ctx.untilAborted();
      await running.close();
    });
  return new Command('broker').description('Run a broker').addCommand(start);
}

/** The cluster-mode flags that were given (absent ones stay out, so embedded mode's flags are unchanged). */
function clusterFlags(o: { id?: string; etcd?: string; advertise?: string; rack?: string }): { nodeId?: string; etcd?: string; advertise?: string; rack?: string } {
  const out: { nodeId?: string; etcd?: string; advertise?: string; rack?: string } = {};
  if (o.id !== undefined) out.nodeId = o.id;
  if (o.etcd !== undefined) out.etcd = o.etcd;
  if (o.advertise !== undefined) out.advertise = o.advertise;
  if (o.rack !== undefined) out.rack = o.rack;
  return out;
}
