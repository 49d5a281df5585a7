// Time is injected through a Clock so timeouts and retention can be tested without sleeping.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
