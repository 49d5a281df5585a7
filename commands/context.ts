// What a command's action receives: output, stdin, the run's abort signal, and factories for the
// client and the broker. Factories load their modules on first use (so `mq --help` or `mq produce`
// never load the broker) and every client they create is closed by main() when the command ends.
// Tests pass fakes through `deps`. With `mq --debug` or MQ_DEBUG=1 the clients get a debug logger on
// stderr, so what they retry or drop (a failed auto-commit on revoke, a refresh) is visible.
import type { Readable } from 'node:stream';
import type { Broker } from '../src/broker/broker.js';
import type { Admin, ClientOptions, Consumer, ConsumerOptions, GroupConsumer, GroupConsumerOptions, Producer, ProducerOptions } from '../src/client/types.js';
import type { ClientSecurity } from '../src/client/security-options.js';
import type { BrokerConfig, ConfigSources } from '../src/config/config.js';
import { createLogger, type Logger } from '../src/util/logger.js';
import type { Output } from './output.js';

export interface Deps {
  createAdmin(opts: ClientOptions): Admin | Promise<Admin>;
  createProducer(opts: ProducerOptions): Producer | Promise<Producer>;
  createConsumer(opts: ConsumerOptions): Consumer | Promise<Consumer>;
  createGroupConsumer?(opts: GroupConsumerOptions): GroupConsumer | Promise<GroupConsumer>;
  loadBrokerConfig(src: ConfigSources): Promise<BrokerConfig>;
  startBroker(config: BrokerConfig): Promise<Pick<Broker, 'host' | 'port' | 'close'> & Partial<Pick<Broker, 'admin'>>>;
}

const CLIENT_ID = 'mq-cli';

type ClientDeps = Required<Pick<Deps, 'createAdmin' | 'createProducer' | 'createConsumer' | 'createGroupConsumer'>>;
type BrokerDeps = Pick<Deps, 'loadBrokerConfig' | 'startBroker'>;

async function loadClient(): Promise<ClientDeps> {
  const client = await import('../src/client/index.js');
  return {
    createAdmin: (o) => client.createAdmin(o),
    createProducer: (o) => client.createProducer(o),
    createConsumer: (o) => client.createConsumer(o),
    createGroupConsumer: (o) => client.createGroupConsumer(o),
  };
}

async function loadBroker(): Promise<BrokerDeps> {
  const [config, broker] = await Promise.all([import('../src/config/config.js'), import('../src/broker/broker.js')]);
  return { loadBrokerConfig: (s) => config.loadBrokerConfig(s), startBroker: (c) => broker.startBroker(c, { guardProcess: true }) };
}

export class Context {
  private readonly closers: (() => Promise<void>)[] = [];
  private client: Promise<ClientDeps> | null = null;
  private broker: Promise<BrokerDeps> | null = null;
  private debugLogger: Logger | null = null;
  /** TLS/SASL settings of the command's -X / --command-config / MQ_* (set before its action runs); every client gets them. */
  security: ClientSecurity | undefined;

  constructor(
    readonly out: Output,
    private readonly openStdin: () => Readable,
    /** Aborts on SIGINT/SIGTERM or when stdout's reader went away. */
    readonly signal: AbortSignal,
    readonly env: NodeJS.ProcessEnv,
    private readonly fakes: Partial<Deps> = {},
  ) {
    if (env.MQ_DEBUG === '1') this.enableDebug();
  }

  /** True with `mq --debug` or MQ_DEBUG=1: client debug lines and stack traces on stderr. */
  get debug(): boolean { return this.debugLogger !== null; }

  /** Gives every client created from now on a debug logger writing to stderr. */
  enableDebug(): void {
    this.debugLogger ??= createLogger('debug', (line) => this.out.note(line.replace(/\n$/, '')));
  }

  /** Standard input, opened on first use (only `mq produce` reads it). */
  get stdin(): Readable { return this.openStdin(); }

  async admin(bootstrap: string[]): Promise<Admin> {
    return this.track(await (await this.dep('createAdmin'))({ bootstrap, clientId: CLIENT_ID, ...this.logging(), ...this.securityOption() }));
  }

  async producer(opts: Omit<ProducerOptions, 'clientId'>): Promise<Producer> {
    return this.track(await (await this.dep('createProducer'))({ ...opts, clientId: CLIENT_ID, ...this.logging(), ...this.securityOption() }));
  }

  async consumer(opts: Omit<ConsumerOptions, 'clientId'>): Promise<Consumer> {
    return this.track(await (await this.dep('createConsumer'))({ ...opts, clientId: CLIENT_ID, ...this.logging(), ...this.securityOption() }));
  }

  async groupConsumer(opts: Omit<GroupConsumerOptions, 'clientId'>): Promise<GroupConsumer> {
    return this.track(await (await this.dep('createGroupConsumer'))!({ ...opts, clientId: CLIENT_ID, ...this.logging(), ...this.securityOption() }));
  }

  async loadBrokerConfig(src: ConfigSources): Promise<BrokerConfig> {
    return (await this.dep('loadBrokerConfig'))(src);
  }

  async startBroker(config: BrokerConfig): Promise<Pick<Broker, 'host' | 'port' | 'close'> & Partial<Pick<Broker, 'admin'>>> {
    return (await this.dep('startBroker'))(config);
  }

  /** Resolves when the run is aborted (Ctrl-C); for commands that serve until then. */
  untilAborted(): Promise<void> {
    return new Promise((resolve) => {
      if (this.signal.aborted) resolve();
      else this.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Closes every client created, newest first; close errors are not the command's result. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      await close().catch((err: unknown) => this.debugLogger?.debug('closing a client failed', { error: (err as Error).message }));
    }
  }

  /** The logger option for a client: only in debug mode (fakes in tests see the options they always did). */
  private logging(): { logger?: Logger } {
    return this.debugLogger ? { logger: this.debugLogger } : {};
  }

  /** The security option for a client, only when a setting was given (fakes in tests see the options they always did). */
  private securityOption(): { security?: ClientSecurity } {
    return this.security ? { security: this.security } : {};
  }

  /** Closes `resource` when the command ends (with the clients). */
  track<T extends { close(): Promise<void> }>(resource: T): T {
    this.closers.push(() => resource.close());
    return resource;
  }

  private async dep<K extends keyof Deps>(name: K): Promise<Deps[K]> {
    const fake = this.fakes[name];
    if (fake) return fake as Deps[K];
    if (name === 'loadBrokerConfig' || name === 'startBroker') {
      this.broker ??= loadBroker();
      return (await this.broker)[name as keyof BrokerDeps] as Deps[K];
    }
    this.client ??= loadClient();
    return (await this.client)[name as keyof ClientDeps] as Deps[K];
  }
}
