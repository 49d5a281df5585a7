// A TCP relay that adds a settable one-way delay, run inside a test host's network namespace in front
// of its broker (or etcd): every byte that reaches the host through it, and every byte the host answers,
// waits `delay` ms. This kernel has no netem (sch_netem is not built), so distance between test hosts is
// simulated here, in user space; packet loss is real (nftables, test-network.ts).
//
//   node dist/test/chaos/delay-relay.js --listen 10.213.7.11:9093 --to 10.213.7.11:9092 --control 10.213.7.11:9094
//
// The control port takes lines `delay <ms>` and answers `ok`. Prints `relay listening` once it listens.
// Bytes keep their order per direction; a side that cannot keep up pauses the other (back-pressure).
// Not a *.test.ts file; it does nothing when node --test loads it (as it loads all of dist/test).
import net from 'node:net';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

let delayMs = 0;

/** Pipes `from` into `to`, each chunk `delayMs` later, in order. */
function delayedPipe(from: net.Socket, to: net.Socket): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    timer = null;
    const now = Date.now();
    while (queue.length > 0 && queue[0].at <= now) {
      if (!to.write(queue.shift()!.chunk)) from.pause();
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0].at - now);
  };
  to.on('drain', () => from.resume());
  from.on('data', (chunk) => {
    if (delayMs === 0 && queue.length === 0) {
      if (!to.write(chunk)) from.pause();
      return;
    }
    queue.push({ at: Date.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  });
  from.on('end', () => {
    const finish = (): void => { if (queue.length === 0) to.end(); else setTimeout(finish, delayMs + 1); };
    finish();
  });
}

function relay(listen: [string, number], to: [string, number]): net.Server {
  return net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: to[0], port: to[1], noDelay: true });
    const close = (): void => { client.destroy(); upstream.destroy(); };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    delayedPipe(client, upstream);
    delayedPipe(upstream, client);
  }).listen(listen[1], listen[0]);
}

function control(listen: [string, number]): net.Server {
  return net.createServer((s) => {
    let buf = '';
    s.on('error', () => undefined);
    s.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const m = /^delay (\d+)$/.exec(buf.slice(0, i).trim());
        buf = buf.slice(i + 1);
        if (m) delayMs = Number(m[1]);
        s.write(m ? 'ok\n' : 'usage: delay <ms>\n');
      }
    });
  }).listen(listen[1], listen[0]);
}

function hostPort(v: string | undefined, name: string): [string, number] {
  const m = /^(.+):(\d+)$/.exec(v ?? '');
  if (!m) throw new Error(`--${name} takes host:port, not ${v}`);
  return [m[1], Number(m[2])];
}

/** Asks the relay whose control port is `at` to delay by `ms`. */
export async function setRelayDelay(at: [string, number], ms: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host: at[0], port: at[1] }, () => s.write(`delay ${ms}\n`));
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`relay control ${at.join(':')} did not answer`)); }, 5000);
    s.on('data', (d) => { clearTimeout(timer); s.end(); if (d.toString().startsWith('ok')) resolve(); else reject(new Error(d.toString())); });
    s.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.env.NODE_TEST_CONTEXT === undefined) {
  const { values } = parseArgs({ options: { listen: { type: 'string' }, to: { type: 'string' }, control: { type: 'string' } } });
  const servers = [relay(hostPort(values.listen, 'listen'), hostPort(values.to, 'to')), control(hostPort(values.control, 'control'))];
  let listening = 0;
  for (const s of servers) {
    s.on('listening', () => { if (++listening === servers.length) console.log('relay listening'); });
    s.on('error', (err) => { console.error(`relay: ${err.message}`); process.exit(1); });
  }
}
