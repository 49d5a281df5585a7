// The assignors mq's consumer offers, by protocol name. "RoundRobinAssigner" is kafkajs' name for its
// round-robin protocol: offering it as an alias lets kafkajs and mq consumers share a group (the broker
// only picks a protocol every member offers).
import type { Assignor } from './assignor.js';
import { cooperativeStickyAssignor } from './cooperative-sticky.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './roundrobin.js';

export const ASSIGNOR_NAMES = ['range', 'roundrobin', 'cooperative-sticky'] as const;
export type AssignorName = (typeof ASSIGNOR_NAMES)[number];

/** kafkajs' protocol name for round robin. */
export const KAFKAJS_ROUND_ROBIN = 'RoundRobinAssigner';

const byName = new Map<string, Assignor>([
  ['range', rangeAssignor],
  ['roundrobin', roundRobinAssignor],
  ['cooperative-sticky', cooperativeStickyAssignor],
  [KAFKAJS_ROUND_ROBIN, { ...roundRobinAssignor, name: KAFKAJS_ROUND_ROBIN }],
]);

/** The assignor for a protocol name, or undefined. */
export function assignorFor(name: string): Assignor | undefined {
  return byName.get(name);
}
