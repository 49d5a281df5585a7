// A network of the test's own on one machine: a Linux bridge in the root namespace and one network
// namespace per host (a veth pair each, eth0 = 10.213.<net>.<10+i>/24), so a nemesis can cut links
// that loopback cannot: between two hosts, between a host and the test process (the clients, in the
// root namespace at 10.213.<net>.1), or add latency and loss. Everything it creates carries the
// network's tag and is removed by close(); nothing outside its own subnet is touched.
//
// Cuts are nftables rules inside the cut host's namespace (input drops what comes from the peer, output
// drops what goes to it), so a cut is silent, both ways, like a pulled cable: TCP connections stall
// rather than fail fast. Loss is an nftables rule too (a random share of what a host receives is
// dropped). Latency is not here: this kernel has no netem, so test/chaos/delay-relay.ts adds it in user
// space in front of each host's service (cluster.ts starts one per host).
//
// Needs root, iproute2 (`ip`) and nftables (`nft`); canCreateTestNetwork() says whether this machine
// allows namespaces, for a test to skip clearly where it does not.
// No import-time side effects (node --test loads this file too).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TestHost {
  name: string;
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  ip: string;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await exec(cmd, args, { timeout: 10_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** Why test networks cannot be made here (not root, no ip/nft/tc, namespaces refused), or null. */
export async function canCreateTestNetwork(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'nft']) {
    try {
      await exec('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed (test/run.sh installs iproute2 and nftables)`;
    }
  }
  const probe = `mqprobe${process.pid}`;
  try {
    await sh('ip', ['netns', 'add', probe]);
    await sh('ip', ['netns', 'exec', probe, 'nft', 'add', 'table', 'inet', 'probe']);
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await exec('ip', ['netns', 'del', probe]).catch(() => undefined);
  }
}

export class TestNetwork {
  readonly hosts = new Map<string, TestHost>();
  /** The test process's (the clients') address on the bridge. */
  readonly clientIp: string;
  private readonly bridge: string;
  private readonly cuts = new Set<string>();
  private closed = false;

  private constructor(private readonly tag: string, private readonly subnet: string) {
    this.bridge = `mqbr${tag}`;
    this.clientIp = `${subnet}.1`;
  }

  /** Creates the bridge and one namespace per name. */
  static async create(names: string[]): Promise<TestNetwork> {
    const used = await sh('ip', ['-o', 'addr', 'show']);
    let net = 1 + Math.floor(Math.random() * 250);
    for (let i = 0; i < 250 && used.includes(`10.213.${net}.`); i++) net = 1 + ((net + 1) % 250);
    const n = new TestNetwork(String(net), `10.213.${net}`);
    try {
      await sh('ip', ['link', 'add', n.bridge, 'type', 'bridge']);
      await sh('ip', ['addr', 'add', `${n.clientIp}/24`, 'dev', n.bridge]);
      await sh('ip', ['link', 'set', n.bridge, 'up']);
      for (const [i, name] of names.entries()) await n.addHost(name, i);
    } catch (err) {
      await n.close();
      throw err;
    }
    return n;
  }

  private async addHost(name: string, i: number): Promise<void> {
    const ns = `mq${this.tag}-${name}`;
    const outside = `mv${this.tag}h${i}`;
    const inside = `mp${this.tag}h${i}`;
    const ip = `${this.subnet}.${10 + i}`;
    await sh('ip', ['netns', 'add', ns]);
    this.hosts.set(name, { name, ns, ip });
    await sh('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    await sh('ip', ['link', 'set', inside, 'netns', ns]);
    await sh('ip', ['link', 'set', outside, 'master', this.bridge]);
    await sh('ip', ['link', 'set', outside, 'up']);
    const inNs = (...args: string[]): Promise<string> => sh('ip', ['netns', 'exec', ns, ...args]);
    await inNs('ip', 'link', 'set', inside, 'name', 'eth0');
    await inNs('ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
    await inNs('ip', 'link', 'set', 'eth0', 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await inNs('nft', 'add', 'table', 'inet', 'mqcut');
    await inNs('nft', 'add', 'chain', 'inet', 'mqcut', 'input', '{ type filter hook input priority 0; policy accept; }');
    await inNs('nft', 'add', 'chain', 'inet', 'mqcut', 'output', '{ type filter hook output priority 0; policy accept; }');
    await inNs('nft', 'add', 'chain', 'inet', 'mqcut', 'loss', '{ type filter hook input priority 1; policy accept; }');
  }

  host(name: string): TestHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name} in this test network (${[...this.hosts.keys()].join(', ')})`);
    return h;
  }

  /** The address of `name`, or of the clients for 'clients'. */
  ipOf(name: string): string {
    return name === 'clients' ? this.clientIp : this.host(name).ip;
  }

  /**
   * Cuts every link between the hosts in `a` and those in `b` ('clients' = the test process) both ways.
   * Each rule lives in the namespace of a host (never in the root namespace).
   */
  async cut(a: string[], b: string[]): Promise<void> {
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        const [inside, peer] = x === 'clients' ? [y, x] : [x, y];
        const key = `${inside}|${peer}`;
        if (this.cuts.has(key)) continue;
        const ns = this.host(inside).ns;
        const ip = this.ipOf(peer);
        await sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'rule', 'inet', 'mqcut', 'input', 'ip', 'saddr', ip, 'drop']);
        await sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'rule', 'inet', 'mqcut', 'output', 'ip', 'daddr', ip, 'drop']);
        this.cuts.add(key);
      }
    }
  }

  /** Removes every cut. */
  async heal(): Promise<void> {
    const inside = new Set([...this.cuts].map((k) => k.split('|')[0]));
    for (const name of inside) {
      const ns = this.host(name).ns;
      await sh('ip', ['netns', 'exec', ns, 'nft', 'flush', 'chain', 'inet', 'mqcut', 'input']);
      await sh('ip', ['netns', 'exec', ns, 'nft', 'flush', 'chain', 'inet', 'mqcut', 'output']);
    }
    this.cuts.clear();
  }

  /** Drops `pct` percent of the packets `name` receives, at random (replaces what was set before). */
  async loss(name: string, pct: number): Promise<void> {
    const ns = this.host(name).ns;
    await sh('ip', ['netns', 'exec', ns, 'nft', 'flush', 'chain', 'inet', 'mqcut', 'loss']);
    if (pct > 0) await sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'rule', 'inet', 'mqcut', 'loss', 'iifname', 'eth0', 'numgen', 'random', 'mod', '100', '<', String(pct), 'drop']);
  }

  /** Runs `cmd` inside host `name`'s namespace (`ip netns exec` keeps the PID). */
  command(name: string, cmd: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.host(name).ns, cmd, ...args]];
  }

  /** Deletes every namespace (and with it each veth) and the bridge. Processes inside must be stopped first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hosts.values()) await exec('ip', ['netns', 'del', h.ns]).catch(() => undefined);
    await exec('ip', ['link', 'del', this.bridge]).catch(() => undefined);
  }
}
