// The expiry choices a visitor is offered: the operator's list (WEB_TTL_CHOICES) up to the visitor's TTL limit.
// Display only: the service still clamps whatever is posted.
import type { WebOptions } from './options.js';

export interface TtlChoices {
  choices: number[];
  selected: number;
}

type Limits = Pick<WebOptions['config'], 'webTtlChoices' | 'ttlDefault' | 'ttlMaxAnonymous' | 'ttlMax'>;

export function ttlChoices(config: Limits, isAccount: boolean, wanted?: string): TtlChoices {
  const max = isAccount ? config.ttlMax : config.ttlMaxAnonymous;
  const allowed = config.webTtlChoices.filter((s) => s <= max);
  const choices = allowed.length > 0 ? allowed : [max];
  const asked = wanted === undefined ? NaN : Number(wanted);
  if (choices.includes(asked)) return { choices, selected: asked };
  // The default TTL when listed, else the longest choice below it, else the shortest choice.
  const selected = [...choices].reverse().find((s) => s <= config.ttlDefault) ?? choices[0]!;
  return { choices, selected };
}
