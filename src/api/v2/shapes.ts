// v2's and v3's response records (the v2 contract of docs/api-v2.md, §3): the secret record, the receipt record and the
// extra fields of a single receipt, with native JSON types throughout. v3 differs only in the receipt's owner
// and recipients fields (§3.8).
import { ANONYMOUS_CUSTID, receiptTtlOf, type ReceiptRecord } from '../../domain/receipt.js';
import type { ReceiptSnapshot, SecretInfo } from '../../domain/secrets-service.js';
import { isDestroyed, v2State } from './states.js';

export type Version = 'v2' | 'v3';

const short = (key: string) => key.slice(0, 8);

/**
 * The secret record (§3.2). `revealed` adds the value of a reveal that won; `generated` the password a generate
 * answers once, for a secret that is still there.
 */
export function secretRecord(info: Omit<SecretInfo, 'secretTtl'>, value?: { revealed: string } | { generated: string }) {
  const revealed = value !== undefined && 'revealed' in value;
  const shown = value && ('revealed' in value ? value.revealed : value.generated);
  return {
    identifier: info.secretKey,
    key: info.secretKey,
    shortid: short(info.secretKey),
    state: revealed ? 'revealed' : 'new',
    lifespan: info.lifespan,
    secret_ttl: info.lifespan,
    has_passphrase: info.passphraseProtected,
    verification: false,
    created: info.created,
    updated: info.updated,
    is_previewed: false,
    is_viewed: false,
    is_revealed: revealed,
    is_received: revealed,
    ...(shown !== undefined ? { secret_value: shown } : {}),
  };
}

/** The secret record of a secret just created, from its receipt. */
export function secretOf(r: ReceiptRecord): SecretInfo {
  return {
    secretKey: r.secretKey,
    passphraseProtected: r.passphraseRequired,
    secretTtl: r.ttl,
    lifespan: r.ttl,
    created: r.created,
    updated: r.created,
    custid: r.custid,
  };
}

/** The receipt record (§3.3), as in lists and create answers. */
export function receiptRecord(r: ReceiptRecord, version: Version) {
  const state = v2State(r.state);
  const revealedAt = state === 'revealed' ? (r.received ?? r.updated) : null;
  const owner = version === 'v2' ? { custid: r.custid === ANONYMOUS_CUSTID ? null : r.custid } : {};
  return {
    identifier: r.metadataKey,
    key: r.metadataKey,
    shortid: short(r.metadataKey),
    ...owner,
    owner_id: r.ownerId ?? null,
    state,
    // An incoming receipt never shows its secret's key: only the mailed recipient has it (§8.10 of the incoming contract).
    secret_identifier: r.source === 'incoming' ? null : isDestroyed(state) ? '' : r.secretKey,
    secret_shortid: short(r.secretKey),
    secret_ttl: r.ttl,
    receipt_ttl: r.ttl,
    metadata_ttl: r.ttl,
    lifespan: r.ttl,
    share_domain: r.shareDomain || null,
    created: r.created,
    updated: r.updated,
    shared: null,
    previewed: null,
    viewed: null,
    revealed: revealedAt,
    received: revealedAt,
    burned: state === 'burned' ? r.updated : null,
    recipients: version === 'v2' ? (r.recipient ?? '') : r.recipient ? [r.recipient] : null,
    recipient_name: r.recipientName ?? null,
    memo: r.memo ?? null,
    show_recipients: r.recipient !== undefined,
    is_previewed: false,
    is_viewed: false,
    is_revealed: state === 'revealed',
    is_received: state === 'revealed',
    is_burned: state === 'burned',
    is_expired: state === 'expired',
    is_orphaned: state === 'orphaned',
    is_destroyed: isDestroyed(state),
    has_passphrase: r.passphraseRequired,
    kind: r.source === 'incoming' ? null : r.kind,
    source: r.source ?? 'standard',
  };
}

/** A TTL in words, as upstream's receipt page says it: always plural ("60 minutes"). */
export function naturalExpiration(seconds: number): string {
  if (seconds <= 60) return `${seconds} seconds`;
  if (seconds <= 3600) return `${Math.floor(seconds / 60)} minutes`;
  if (seconds <= 86_400) return `${Math.floor(seconds / 3600)} hours`;
  return `${Math.floor(seconds / 86_400)} days`;
}

/**
 * The web paths a receipt hands out (upstream's form: no leading slash) and their URLs: on this server, or under
 * the share domain the creator named (as upstream builds them).
 */
function links(r: ReceiptRecord, secretExists: boolean, publicOrigin: string) {
  const origin = r.shareDomain ? `https://${r.shareDomain}` : publicOrigin;
  const share = secretExists ? `secret/${r.secretKey}` : 'secret/';
  const receipt = `receipt/${r.metadataKey}`;
  const withheld = r.source === 'incoming';
  return {
    share_path: withheld ? null : share,
    receipt_path: receipt,
    metadata_path: receipt,
    burn_path: `${receipt}/burn`,
    share_url: withheld ? null : `${origin}/${share}`,
    receipt_url: `${origin}/${receipt}`,
    metadata_url: `${origin}/${receipt}`,
    burn_url: `${origin}/${receipt}/burn`,
  };
}

/** `GET /receipt/:id` (§3.4): the record with its secret's state and links, and the page's details. */
export function receiptView(s: ReceiptSnapshot, version: Version, origin: string) {
  const { receipt: r } = s;
  const base = receiptRecord(r, version);
  const exists = !base.is_destroyed && s.secretTtl !== null;
  const open = exists && !r.passphraseRequired;
  // The secret key stays in this view only while the secret exists, is unread and has no passphrase (never incoming).
  const { secret_identifier, ...rest } = base;
  const record = {
    ...rest,
    ...(open && r.source !== 'incoming' ? { secret_identifier } : {}),
    secret_state: exists ? 'new' : null,
    natural_expiration: naturalExpiration(r.ttl),
    expiration: r.created + r.ttl,
    expiration_in_seconds: r.ttl,
    ...links(r, exists, origin),
  };
  return {
    record,
    details: {
      type: 'record',
      display_lines: 4,
      no_cache: true,
      secret_realttl: exists ? s.secretTtl : null,
      view_count: 0,
      first_access: null,
      last_access: null,
      has_passphrase: exists && r.passphraseRequired,
      can_decrypt: open,
      // The generated password is answered once, by generate itself (§10.4).
      secret_value: null,
      show_secret: open,
      show_secret_link: open && r.recipient === undefined,
      show_receipt_link: base.state === 'new',
      show_receipt: true,
      show_recipients: base.show_recipients,
    },
  };
}

/** A burn's answer (§3.5): the receipt after the burn (or as it is, when nothing was burned). */
export function burnView(r: ReceiptRecord, version: Version, origin: string) {
  const base = receiptRecord(r, version);
  const lifetime = receiptTtlOf(r.ttl);
  return {
    record: {
      ...base,
      natural_expiration: naturalExpiration(lifetime),
      expiration: r.created + lifetime,
      expiration_in_seconds: lifetime,
      ...links(r, !base.is_destroyed, origin),
    },
    details: {
      type: 'record',
      title: 'Secret burned',
      display_lines: 0,
      display_feedback: false,
      no_cache: true,
      view_count: 0,
      has_passphrase: false,
      can_decrypt: false,
      show_secret: false,
      show_secret_link: false,
      show_receipt_link: false,
      show_receipt: true,
      show_recipients: base.show_recipients,
      is_orphaned: false,
    },
  };
}

/** How many lines the value needs on upstream's page: floor((80 + length) / 80) + newlines + 3, at most 30. */
export function displayLines(value: string): number {
  const newlines = value.split('\n').length - 1;
  return Math.min(30, Math.floor((80 + value.length) / 80) + newlines + 3);
}
