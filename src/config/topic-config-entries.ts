// A topic's effective config as DescribeConfigs shows it: each value with where it comes from (the
// topic's override, the broker's setting, the built-in default). Both topic authorities answer with it.
import { defaultBrokerConfig } from './config.js';
import { TOPIC_CONFIG_KEYS, parseStoredTopicConfig, type TopicConfig } from './topic-config.js';

/** Where a topic's effective config value comes from. */
export type ConfigSource = 'topic' | 'broker' | 'default';

export interface TopicConfigEntry {
  name: keyof TopicConfig;
  value: string;
  source: ConfigSource;
}

/** A topic's effective config with each value's source, from its overrides and the broker's defaults. */
export function topicConfigEntries(overrides: Record<string, string>, brokerDefaults: TopicConfig): TopicConfigEntry[] {
  const builtIn = defaultBrokerConfig().topicDefaults;
  // A stored value that fails validation is not served (load() logged it): the default is.
  const valid = parseStoredTopicConfig(overrides, () => {});
  const effective = { ...brokerDefaults, ...valid };
  return TOPIC_CONFIG_KEYS.map((key) => {
    const source: ConfigSource = key in valid ? 'topic' : brokerDefaults[key] !== builtIn[key] ? 'broker' : 'default';
    return { name: key, value: String(effective[key]), source };
  });
}
