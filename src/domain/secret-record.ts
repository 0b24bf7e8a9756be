// A stored secret: one string, so that a single GETDEL-style step can take it. The first character says
// whether a passphrase protects it (the claim script reads it to decide whether to take the secret at once).

export interface SecretRecord {
  metadataKey: string;
  passphraseProtected: boolean;
  sealed: string;
}

export function encodeSecretRecord(r: SecretRecord): string {
  return `${r.passphraseProtected ? 'P' : 'N'}${r.metadataKey}:${r.sealed}`;
}

export function decodeSecretRecord(raw: string): SecretRecord | null {
  const colon = raw.indexOf(':');
  if (colon < 2) return null;
  return { passphraseProtected: raw[0] === 'P', metadataKey: raw.slice(1, colon), sealed: raw.slice(colon + 1) };
}
