// docs/webhooks.md shows the payload's JSON Schema: it must be the one the server exports (src/webhooks/payload.ts),
// and the page's example payload must be valid under it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_PAYLOAD_SCHEMA } from '../../src/webhooks/payload.js';
import { ROOT } from '../e2e/built.js';

const page = readFileSync(join(ROOT, 'docs/webhooks.md'), 'utf8');
const blocks = [...page.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

describe('docs/webhooks.md: the payload', () => {
  it('shows the schema the server exports, exactly', () => {
    const shown = blocks.filter((b) => '$schema' in b);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toEqual(JSON.parse(JSON.stringify(WEBHOOK_PAYLOAD_SCHEMA)));
  });

  it('has an example that the schema accepts, and the schema refuses a key or a missing field', () => {
    // Formats are checked by hand: ajv-formats is not a dependency.
    const validate = new Ajv2020({ validateFormats: false }).compile(WEBHOOK_PAYLOAD_SCHEMA);
    const examples = blocks.filter((b) => 'type' in b && 'data' in b);
    expect(examples).toHaveLength(1);
    const example = examples[0] as { timestamp: string; data: Record<string, unknown> };
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(new Date(example.timestamp).toISOString()).toBe(example.timestamp);
    expect(example.data.expires).toBe((example.data.created as number) + (example.data.ttl as number));
    expect(validate({ ...example, data: { ...example.data, secret_key: 'abc' } })).toBe(false);
    const { custid: _, ...withoutOwner } = example.data;
    expect(validate({ ...example, data: withoutOwner })).toBe(false);
  });
});
