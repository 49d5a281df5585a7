// The long protocol-fuzz run against a fresh broker process (the suite runs a bounded one in
// test/integration/protocol-fuzz.test.ts):
//
//   node dist/test/fuzz/run.js --minutes 10 --seed 42
//   node dist/test/fuzz/run.js --minutes 1 --seed 42 --api Fetch   (one API only)
//
// Prints progress every 10 s and a summary; on the broker's death, the seed, each lane's last burst
// (mutation kind, API, version, first 256 bytes in hex) and the broker's last output. Exit code 0 when
// the broker lived, stayed under --max-rss-mb and served a normal produce/fetch afterwards, 1 otherwise,
// 2 on a harness error. Not a *.test.ts file: it does nothing when node --test loads it.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { startBrokerProcess, tempDir } from '../helpers/mq-process.js';
import { SeededRandom } from '../chaos/seeded-random.js';
import { createFuzzTopic, formatFuzzReport, fuzzBroker, produceAndFetch } from './protocol-fuzzer.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      seed: { type: 'string' },
      lanes: { type: 'string', default: '6' },
      'max-rss-mb': { type: 'string', default: '400' },
      api: { type: 'string' },
    },
  });
  const seed = values.seed === undefined ? SeededRandom.freshSeed() : Number(values.seed);
  const dir = await tempDir('mq-fuzz-');
  const broker = await startBrokerProcess(dir.path);
  try {
    await createFuzzTopic(broker.port, 'fuzz');
    let lastPrint = 0;
    const report = await fuzzBroker({
      port: broker.port, pid: broker.proc.pid!, seed, topic: 'fuzz', group: 'fuzz-group',
      durationMs: Number(values.minutes) * 60_000, lanes: Number(values.lanes),
      skip: (_kind, s) => values.api !== undefined && s.apiName !== values.api,
      onProgress: (r) => {
        if (r.elapsedMs - lastPrint < 10_000) return;
        lastPrint = r.elapsedMs;
        console.log(`${(r.elapsedMs / 1000).toFixed(0)} s: ${r.framesSent} frames, ${r.connections} connections, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
      },
    });
    console.log(formatFuzzReport(report));
    if (report.death) {
      for (const burst of report.death.lastBursts) for (const f of burst) console.log(`lane ${f.lane} ${f.kind} ${f.api} v${f.version} ${f.hex}`);
      console.log(`broker output (last 4000 chars):\n${broker.output().slice(-4000)}`);
      return 1;
    }
    const back = await produceAndFetch(broker.port, 'after-fuzz', ['still', 'serving']);
    const ok = back.join(',') === 'still,serving' && report.peakRssMb <= Number(values['max-rss-mb']);
    console.log(ok ? 'broker served a normal produce/fetch afterwards' : `FAILED: fetched [${back}], peak RSS ${report.peakRssMb.toFixed(0)} MB`);
    return ok ? 0 : 1;
  } finally {
    await broker.stop();
    await dir.remove();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.env.NODE_TEST_CONTEXT === undefined) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  });
}
