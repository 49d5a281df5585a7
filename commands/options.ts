// Flag definitions shared by several commands, and the bridge from src/cli parsers (MqError
// INVALID_ARGUMENT) to commander's InvalidArgumentError, so a bad value is a usage error (exit 2).
// Also the security options of every command that talks to brokers (addSecurityOptions).
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseBootstrap, parseInteger } from '../src/cli/parsers.js';
import { MqError } from '../src/util/mq-error.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

/** Wraps a parser so its MqError becomes commander's usage error. */
export function cli<T>(parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    try {
      return parse(raw);
    } catch (err) {
      if (err instanceof MqError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

/** An integer flag value >= min (and <= max). */
export const int = (min: number, max?: number): ((raw: string) => number) => cli((raw) => parseInteger(raw, min, max));

/** `-b, --bootstrap`: every command that talks to brokers takes it, with MQ_BOOTSTRAP as fallback. */
export function bootstrapOption(): Option {
  return new Option('-b, --bootstrap <host:port,...>', 'brokers to connect to first (comma-separated)')
    .env('MQ_BOOTSTRAP')
    .default([DEFAULT_BOOTSTRAP], DEFAULT_BOOTSTRAP)
    .argParser(cli(parseBootstrap));
}

/** Collects a repeatable flag's values (undefined when the flag is absent). */
export function collect<T>(parse: (raw: string) => T): (raw: string, previous: T[] | undefined) => T[] {
  const one = cli(parse);
  return (raw, previous) => [...(previous ?? []), one(raw)];
}

/** `-X key=value` values as typed (checked later by resolveClientSecurity, so no value is echoed in an error). */
const collectRaw = (raw: string, previous: string[] | undefined): string[] => [...(previous ?? []), raw];

/**
 * `-X, --property` and `--command-config`: how a command reaches a secured broker. buildProgram() adds
 * them to every command that has -b/--bootstrap and resolves them before the action runs
 * (src/cli/client-properties.ts: file < MQ_* environment < -X).
 */
export function addSecurityOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-X, --property <key=value>', 'client security setting by its librdkafka name, e.g. security.protocol=sasl_ssl (repeatable; see mq --help)').argParser(collectRaw))
    .addOption(new Option('--command-config <file>', 'Java properties file of client security settings: security.protocol, sasl.*, ssl.* (env: MQ_COMMAND_CONFIG)'));
}

/** Whether `cmd` talks to brokers (it takes -b/--bootstrap). */
export function takesBootstrap(cmd: Command): boolean {
  return cmd.options.some((o) => o.long === '--bootstrap');
}
