// The receipt object of contract §3.1: which fields each state shows, and how.
import { describe, expect, it } from 'vitest';
import { receiptView, recentView } from '../../../src/api/v1/receipt-view.js';
import { goneState, STATES, UNREAD_STATES, type ReceiptRecord, type State } from '../../../src/domain/receipt.js';

const T0 = 1_700_000_000;

function record(state: State, over: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    metadataKey: 'metadatakey0000000000000000000m',
    secretKey: 'secretkey000000000000000000000s',
    custid: 'alice@example.com',
    ttl: 3600,
    created: T0,
    updated: T0 + 10,
    state,
    shareDomain: '',
    passphraseRequired: true,
    kind: 'conceal',
    ...over,
  };
}

const LEFT = { metadataTtl: 7000, secretTtl: 3400 };

/** The fields every view has, whatever the state. */
function common(state: State) {
  return {
    custid: 'alice@example.com',
    metadata_key: 'metadatakey0000000000000000000m',
    ttl: 3600,
    metadata_ttl: 7000,
    state,
    created: T0,
    updated: T0 + 10,
    recipient: [],
    share_domain: '',
  };
}

describe('receiptView', () => {
  // "Unread" (new, viewed: the secret may still be read) is defined once; every view follows it.
  it.each<State>([...STATES])('in state %s shows the secret key and passphrase flag exactly when the secret is unread', (state) => {
    const view = receiptView(record(state), LEFT);
    const unread = UNREAD_STATES.includes(state);
    expect([Boolean(view.secret_key), 'passphrase_required' in view], state).toEqual([unread, unread]);
  });

  it.each<State>(['new', 'viewed'])('while %s, shows the secret key, its TTL and the passphrase flag', (state) => {
    expect(receiptView(record(state), LEFT)).toStrictEqual({
      ...common(state),
      secret_key: 'secretkey000000000000000000000s',
      secret_ttl: 3400,
      passphrase_required: true,
    });
    expect(receiptView(record(state, { passphraseRequired: false }), LEFT).passphrase_required).toBe(false);
  });

  it('when received, omits secret_key and secret_ttl and says when it was read', () => {
    expect(receiptView(record('received', { received: T0 + 99 }), LEFT)).toStrictEqual({
      ...common('received'),
      received: T0 + 99,
    });
  });

  it('when received without a stored read time, falls back to updated', () => {
    expect(receiptView(record('received'), LEFT).received).toBe(T0 + 10);
  });

  it.each<State>(['burned', 'expired', 'orphaned'])('when %s, shows secret_key "" and secret_ttl null, no flag', (state) => {
    expect(receiptView(record(state), LEFT)).toStrictEqual({ ...common(state), secret_key: '', secret_ttl: null });
  });

  it('shows the obfuscated recipient as a one-element array and the share domain', () => {
    const view = receiptView(record('new', { recipient: 'jo*****@m*****.org', shareDomain: 'example.com' }), LEFT);
    expect(view.recipient).toEqual(['jo*****@m*****.org']);
    expect(view.share_domain).toBe('example.com');
  });

  it('has only integer times and a state from the contract, in every state', () => {
    for (const state of STATES) {
      const view = receiptView(record(state, { received: T0 + 1 }), LEFT);
      expect(['new', 'viewed', 'received', 'burned', 'expired', 'orphaned']).toContain(view.state);
      for (const field of ['ttl', 'metadata_ttl', 'created', 'updated'] as const) {
        expect(Number.isInteger(view[field]), `${state}.${field}`).toBe(true);
      }
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    }
  });
});

describe('recentView', () => {
  it.each<State>(['new', 'viewed', 'burned'])('for %s: no secret_key, secret_ttl null, no passphrase flag', (state) => {
    expect(recentView(record(state), LEFT)).toStrictEqual({ ...common(state), secret_ttl: null });
  });

  it('for received: keeps the read time, secret_ttl null', () => {
    expect(recentView(record('received', { received: T0 + 99 }), LEFT)).toStrictEqual({
      ...common('received'),
      secret_ttl: null,
      received: T0 + 99,
    });
  });
});

describe('goneState', () => {
  it('is expired once the secret’s time ran out, orphaned before', () => {
    const r = record('viewed', { created: T0, ttl: 3600 });
    expect(goneState(r, T0 + 3600)).toBe('expired');
    expect(goneState(r, T0 + 999_999)).toBe('expired');
    expect(goneState(r, T0 + 3599)).toBe('orphaned');
    expect(goneState(r, T0)).toBe('orphaned');
  });
});
