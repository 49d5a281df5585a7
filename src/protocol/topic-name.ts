// Topic names become folder names, so they are limited to [a-zA-Z0-9._-], 1-249 bytes, and not "." or "..".
const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_BYTES = 249;

/** Returns why `name` is not a legal topic name, or null when it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name '${name}' is not allowed`;
  if (Buffer.byteLength(name) > MAX_TOPIC_NAME_BYTES) return `topic name is ${Buffer.byteLength(name)} bytes; the limit is ${MAX_TOPIC_NAME_BYTES}`;
  if (!LEGAL.test(name)) return `topic name '${name}' has characters outside [a-zA-Z0-9._-]`;
  return null;
}
