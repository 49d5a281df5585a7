// A real broker process observed from outside: /metrics counters and latency histograms move with
// traffic, the /v1 endpoints, JSON logs, a busy admin port, `mq top --once`, `mq completion`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mqBin, run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';

/** Prometheus text to a map from `name{labels}` to value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    assert.ok(m, `malformed metrics line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

async function get(b: BrokerProcess, path: string): Promise<Response> {
  return fetch(`http://${b.admin}${path}`);
}

async function metrics(b: BrokerProcess): Promise<Map<string, number>> {
  const res = await get(b, '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

describe('observability of a broker process', async () => {
  const dir = await tempDir();
  const broker = await startBrokerProcess(dir.path, { args: ['--log-format', 'json'] });

  test('/metrics: throughput counters and latency histograms move with traffic', async () => {
    const topic = uniqueTopic('obs');
    const before = await metrics(broker);
    const p = `{topic="${topic}",partition="0"}`;
    assert.equal(before.get(`mq_partition_records_in_total${p}`), undefined);
    const producesBefore = before.get('mq_requests_total{api="Produce"}') ?? 0;

    const lines = Array.from({ length: 2000 }, (_, i) => `record-${i}`).join('\n') + '\n';
    const produced = await run(['produce', topic, '-b', broker.bootstrap], { input: lines });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await run(['consume', topic, '-b', broker.bootstrap, '-o', 'beginning', '-e']);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout.split('\n').filter(Boolean).length, 2000);

    const after = await metrics(broker);
    assert.equal(after.get(`mq_partition_records_in_total${p}`), 2000);
    assert.equal(after.get(`mq_partition_records_out_total${p}`), 2000);
    const bytesIn = after.get(`mq_partition_bytes_in_total${p}`)!;
    assert.ok(bytesIn > 2000 * 'record-0'.length, `bytes in ${bytesIn}`);
    assert.equal(after.get(`mq_partition_bytes_out_total${p}`), bytesIn, 'the same stored batches went out');
    assert.equal(after.get(`mq_partition_log_end_offset${p}`), 2000);
    assert.equal(after.get(`mq_partition_high_watermark${p}`), 2000);
    assert.equal(after.get(`mq_partition_log_size_bytes${p}`), bytesIn);
    assert.equal(after.get('mq_under_replicated_partitions'), 0);

    const produces = after.get('mq_requests_total{api="Produce"}')!;
    assert.ok(produces > producesBefore, 'produce requests counted');
    assert.equal(after.get('mq_request_latency_seconds_count{api="Produce"}'), produces);
    assert.equal(after.get('mq_request_latency_seconds_bucket{api="Produce",le="+Inf"}'), produces);
    assert.ok(after.get('mq_request_latency_seconds_sum{api="Produce"}')! > 0);
    assert.ok((after.get('mq_requests_total{api="Fetch"}') ?? 0) > (before.get('mq_requests_total{api="Fetch"}') ?? 0));
    assert.ok(after.get('process_resident_memory_bytes')! > 10_000_000);
    assert.ok(after.get('process_open_fds')! > 3);
    assert.ok(after.get('mq_data_dir_free_bytes')! > 0);
    assert.ok(after.get('process_cpu_seconds_total')! >= before.get('process_cpu_seconds_total')!);
  });

  test('/v1/status, /v1/partitions and /v1/groups answer JSON; unknown paths are 404', async () => {
    const status = await (await get(broker, '/v1/status')).json() as Record<string, any>;
    assert.equal(status.nodeId, 0);
    assert.equal(status.port, broker.port);
    assert.equal(status.admin, broker.admin);
    assert.equal(status.mode, 'embedded');
    assert.ok(status.requests.some((r: { api: string; requests: number }) => r.api === 'Metadata' && r.requests > 0));
    assert.ok(status.process.rssBytes > 0);
    const partitions = await (await get(broker, '/v1/partitions')).json() as { topic: string; isr: number[]; replicas: number[] }[];
    assert.ok(Array.isArray(partitions));
    for (const p of partitions) assert.deepEqual(p.isr, p.replicas);
    assert.ok(Array.isArray(await (await get(broker, '/v1/groups')).json()));
    assert.equal((await get(broker, '/nope')).status, 404);
  });

  test('logs are JSON lines with --log-format json', async () => {
    await broker.waitForOutput(/"msg":"broker started"/);
    await broker.waitForOutput(/"msg":"admin endpoint listening"/);
    const started = broker.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = started.find((r) => r.msg === 'broker started');
    assert.ok(line, broker.output());
    assert.equal(line.level, 'info');
    assert.ok(started.some((r) => r.msg === 'admin endpoint listening' && r.admin === broker.admin));
  });

  test('a busy admin port stops a second broker with a clear error', async () => {
    const other = await tempDir();
    try {
      const r = await run(['broker', 'start', '--data', other.path, '--listen', '127.0.0.1:0', '--admin-listen', broker.admin], { timeoutMs: 20000 });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`cannot listen for admin requests on ${broker.admin.replace(/\./g, '\\.')}: EADDRINUSE`));
      assert.match(r.stderr, /--admin-listen/);
    } finally {
      await other.remove();
    }
  });

  test('mq top --once prints a snapshot as JSON or tables without a terminal', async () => {
    const topic = uniqueTopic('once');
    assert.equal((await run(['topics', 'create', topic, '-p', '2', '-b', broker.bootstrap])).code, 0);
    const json = await run(['top', '--once', '--json', '-b', broker.bootstrap, '--admin-port', String(broker.adminPort)]);
    assert.equal(json.code, 0, json.stderr);
    const snap = JSON.parse(json.stdout) as { brokers: { id: number; alive: boolean; admin: string }[]; partitions: { topic: string }[] };
    assert.deepEqual(snap.brokers.map((b) => [b.id, b.alive, b.admin]), [[0, true, broker.admin]]);
    assert.equal(snap.partitions.filter((p) => p.topic === topic).length, 2);
    const table = await run(['top', '--admin', broker.admin]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Brokers:\nID\s+ADDRESS\s+STATUS/m);
    assert.match(table.stdout, new RegExp(`^0\\s+127\\.0\\.0\\.1:${broker.port}\\s+up`, 'm'));
    assert.match(table.stdout, new RegExp(`^Topic ${topic}:\\nPARTITION\\s+LEADER\\s+REPLICAS\\s+ISR`, 'm'));
  });

  test('mq completion bash completes commands and flags in a real bash', async () => {
    const script = `source <("${process.execPath}" "${mqBin}" completion bash)
COMP_WORDS=(mq topics cr); COMP_CWORD=2; _mq_completion; echo "1:\${COMPREPLY[*]}"
COMP_WORDS=(mq broker start --admin); COMP_CWORD=3; _mq_completion; echo "2:\${COMPREPLY[*]}"
COMP_WORDS=(mq t); COMP_CWORD=1; _mq_completion; echo "3:\${COMPREPLY[*]}"`;
    const r = await run(['-c', script], { cmd: 'bash' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1:create$/m);
    assert.match(r.stdout, /^2:--admin-listen$/m);
    assert.match(r.stdout, /^3:topics transactions top$/m);
    const zsh = await run(['completion', 'zsh']);
    assert.match(zsh.stdout, /^#compdef mq$/m);
    assert.match(zsh.stdout, /complete -o default -F _mq_completion mq/);
  });

  test.after(async () => {
    assert.equal(await broker.stop(), 0);
    await dir.remove();
  });
});
