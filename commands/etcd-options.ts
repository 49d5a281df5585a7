// The flags of every command that reaches etcd (--etcd URL,... plus credentials and TLS), spelled once.
// Each has the environment variable the broker reads for the same setting, so one set of MQ_ETCD_*
// variables serves `mq broker start` and the commands alike.
import { Command, Option } from 'commander';
import { etcdTarget, type EtcdTarget } from '../src/cli/etcd-target.js';

export const ETCD_SECURITY_HELP = `
etcd with authentication or TLS: --etcd-user NAME with the password in MQ_ETCD_PASSWORD or the first
line of --etcd-password-file FILE; https:// URLs with --etcd-ca FILE (the CA that signed etcd's
certificate) and, when etcd wants client certificates, --etcd-cert FILE --etcd-key FILE. Each flag
also reads the variable the broker uses for it (MQ_ETCD_USERNAME, MQ_ETCD_SSL_CA_LOCATION, ...).`;

export interface EtcdOptionValues { etcd?: string; etcdUser?: string; etcdPasswordFile?: string; etcdCa?: string; etcdCert?: string; etcdKey?: string }

/** Adds --etcd-user, --etcd-password-file, --etcd-ca, --etcd-cert, --etcd-key (not --etcd itself) and their help. */
export function withEtcdSecurity(c: Command): Command {
  return c
    .addHelpText('after', ETCD_SECURITY_HELP)
    .addOption(new Option('--etcd-user <name>', 'etcd user (etcd.username); the password from MQ_ETCD_PASSWORD or --etcd-password-file').env('MQ_ETCD_USERNAME'))
    .addOption(new Option('--etcd-password-file <file>', 'read the etcd user\'s password from the first line of FILE').env('MQ_ETCD_PASSWORD_FILE'))
    .addOption(new Option('--etcd-ca <file>', 'PEM CA that signed etcd\'s certificate, for https:// etcd URLs (etcd.ssl.ca.location)').env('MQ_ETCD_SSL_CA_LOCATION'))
    .addOption(new Option('--etcd-cert <file>', 'PEM client certificate for an etcd that requires one (etcd.ssl.certificate.location)').env('MQ_ETCD_SSL_CERTIFICATE_LOCATION'))
    .addOption(new Option('--etcd-key <file>', 'PEM key of --etcd-cert (etcd.ssl.key.location)').env('MQ_ETCD_SSL_KEY_LOCATION'));
}

/** The etcd target of a command's options, or undefined without --etcd. */
export async function etcdTargetOf(o: EtcdOptionValues, env: NodeJS.ProcessEnv): Promise<EtcdTarget | undefined> {
  return o.etcd === undefined ? undefined : etcdTarget({ ...o, etcd: o.etcd }, env);
}
