// The bash client `ots.bash` (eengstrom/onetimesecret-bash), replayed with the real curl binary against the listening
// server (Redis). No line of the script is in this repository: each step below issues exactly the curl command line
// the script's function issues (same arguments, same stdin, same word splitting of `$(_ots_auth)`), and reads the
// answer with the same jq expression, done here in TypeScript.
//
// Upstream sources read (search tool, repository eengstrom/onetimesecret-bash):
// - `ots.bash`, the version with `_ots_main`, `ots_metashare` and `_ots_curl() { $_OTS_DEBUG curl -s "$@"; }`:
//     _ots_api()      -> "${_OTS_URI}/${_OTS_URN}"             (_OTS_URN="api/v1")
//     _ots_metaapi()  -> "$(_ots_api)/private/$1"
//     _ots_auth()     -> "-u $_OTS_UID:$_OTS_KEY" when both are set, else nothing (unquoted, so it splits in two)
//     ots_metashare   -> echo "${SECRET[@]}" | _ots_curl -X POST $(_ots_auth) ${ARGS} -F secret='<-' "$(_ots_api)/share"
//                        | _ots_output "%s\n" '.metadata_key'
//     ots_recent      -> _ots_curl -X GET $(_ots_auth) $(_ots_api)/private/recent
//                        | ... 'if type=="array" then .[].metadata_key else .message end // "Unknown Error"'
//                        (refuses locally, without a request, when no credentials are set)
//     ots_state       -> _ots_curl -X POST $(_ots_metaapi "$1") | ... '.state // .message // "unknown"'   (no credentials)
//     ots_key         -> _ots_curl -X POST $(_ots_metaapi "$1") | _ots_output FMT "%s\n" '.secret_key'  (no credentials)
//     ots_retrieve    -> _ots_curl -X POST ${ARGS} $(_ots_api)/secret/$KEY | ... '.value // .message // "Unknown Error"'
//     _ots_output fmt -> printf "${1}" "$(jq -r "${@:2}" -)"
// - `test.shunit2` (commit 38d1a70), function `testRecent`: the flow replayed here — with credentials, metashare a
//   secret, the first line of `ots_recent` is its metadata key; then, WITHOUT credentials, `ots_state` says `new`,
//   `ots_retrieve $(ots_key "$METAKEY")` gives the secret back and `ots_state` says `received`.
//
// This is Part 1 of issue 13: with the default RECEIPTS_OWNER_ONLY=false the flow passes; with RECEIPTS_OWNER_ONLY=true
// the credential-less `ots_state` is answered `Not authorized` (and the script cannot get the key).
// Set OTS_BASH_CLIENT_TRANSCRIPT=<file> to write the session (commands and outputs) to a file, and OTS_BASH_DIR to a
// checkout of the script to also run its own testRecent with shunit2 (at the end of this file).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../support/app.js';
import { listen, type ListeningApp } from './listening.js';

const TRANSCRIPT = process.env.OTS_BASH_CLIENT_TRANSCRIPT;

/** The script's state: `ots_set_host`, `ots_set_user`, `ots_set_key`. */
interface OtsBash {
  uri: string;
  uid: string;
  key: string;
}

// jq -r, for the expressions the script uses (a missing key is jq's `null`, printed by -r as "null").
type Json = unknown;
const field = (j: Json, k: string): Json => (j !== null && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, Json>)[k] : undefined);
/** jq's `a // b`: a unless it is null, false or missing. */
const alt = (...values: Json[]): Json => values.find((v) => v !== undefined && v !== null && v !== false) ?? null;
const jqRaw = (v: Json): string => (v === undefined || v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));

function parse(body: string): Json {
  try {
    return JSON.parse(body) as Json;
  } catch {
    return undefined; // jq would fail and print nothing
  }
}

/** `printf '%s\n' "$(…)"`: command substitution drops trailing newlines, printf adds one. */
const printfLine = (s: string) => `${s.replace(/\n+$/, '')}\n`;

describe.each([
  // The default is upstream's rule (issue 13, Part 1): the credential-less reads succeed.
  ['default (RECEIPTS_OWNER_ONLY unset)', {}, false],
  ['RECEIPTS_OWNER_ONLY=true', { RECEIPTS_OWNER_ONLY: 'true' }, true],
])('ots.bash testRecent flow with curl, %s', (label, env: Record<string, string>, ownerOnly: boolean) => {
  let t: ListeningApp;
  let home: string;
  let ots: OtsBash;

  const log = (text: string) => {
    if (TRANSCRIPT) appendFileSync(TRANSCRIPT, text);
  };

  /** `curl -s ARGS` as `_ots_curl` runs it, in a clean environment (no proxy variables, an empty HOME: no ~/.curlrc). */
  function curl(args: string[], stdin?: string): Promise<string> {
    const argv = ['-s', ...args];
    log(`  curl ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ')}${stdin === undefined ? '' : '   <<< stdin'}\n`);
    return new Promise((resolve, reject) => {
      const child = spawn('curl', argv, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += String(c)));
      child.stderr.on('data', (c) => (err += String(c)));
      child.once('error', reject);
      child.once('close', (code) => {
        log(`  -> ${out}\n`);
        if (code !== 0) reject(new Error(`curl exited ${code}: ${err}`));
        else resolve(out);
      });
      child.stdin.end(stdin ?? '');
    });
  }

  const api = () => `${ots.uri}/api/v1`;
  const metaapi = (k: string) => `${api()}/private/${k}`;
  const auth = () => (ots.uid && ots.key ? ['-u', `${ots.uid}:${ots.key}`] : []);

  async function step<T extends string>(shell: string, fn: () => Promise<T>): Promise<T> {
    log(`$ ${shell}\n`);
    const out = await fn();
    log(`${out}`);
    return out;
  }

  // The script's functions, as command lines and jq expressions (see the header).
  const otsMetashare = (secret: string) =>
    step('METAKEY=$(ots_metashare <<< "$SECRET")', async () => {
      // `SECRET=$(cat - /dev/null)` drops the here-string's newline, `echo "${SECRET[@]}"` adds it back.
      const body = await curl(['-X', 'POST', ...auth(), '-F', 'secret=<-', `${api()}/share`], `${secret}\n`);
      return printfLine(jqRaw(field(parse(body), 'metadata_key')));
    });
  const otsRecent = () =>
    step('FIRST=$(ots_recent | head -1)', async () => {
      if (auth().length === 0) return 'Authentication Required\n'; // on stderr, no request
      const j = parse(await curl(['-X', 'GET', ...auth(), `${api()}/private/recent`]));
      const lines = Array.isArray(j) ? j.map((r) => jqRaw(alt(field(r, 'metadata_key'), 'Unknown Error'))) : [jqRaw(alt(field(j, 'message'), 'Unknown Error'))];
      return printfLine(lines.join('\n'));
    });
  const otsState = (metakey: string) =>
    step(`ots_state "$METAKEY"`, async () => {
      const j = parse(await curl(['-X', 'POST', metaapi(metakey)]));
      return printfLine(jqRaw(alt(field(j, 'state'), field(j, 'message'), 'unknown')));
    });
  const otsKey = (metakey: string) =>
    step(`ots_key "$METAKEY"`, async () => {
      const j = parse(await curl(['-X', 'POST', metaapi(metakey)]));
      return printfLine(jqRaw(field(j, 'secret_key')));
    });
  const otsRetrieve = (key: string) =>
    step(`ots_retrieve "${key}"`, async () => {
      const j = parse(await curl(['-X', 'POST', `${api()}/secret/${key}`]));
      return printfLine(jqRaw(alt(field(j, 'value'), field(j, 'message'), 'Unknown Error')));
    });

  /** `$(…)` in the test: its trailing newline removed. */
  const value = (out: string) => out.replace(/\n+$/, '');

  beforeAll(async () => {
    t = await listen(env);
    home = mkdtempSync(join(tmpdir(), 'ots-bash-home-'));
    ots = { uri: t.origin, uid: '', key: '' };
    log(`\n# ots.bash testRecent flow, ${label}; server ${t.origin} (RECEIPTS_OWNER_ONLY=${t.config.receiptsOwnerOnly})\n`);
  });
  afterAll(async () => {
    if (home) rmSync(home, { recursive: true, force: true });
    await t?.close();
  });

  it('an account shares; its receipt is read with the metadata key and no credentials', async () => {
    const SECRET = randomBytes(24).toString('base64url').slice(0, 32);

    // unauthenticated recent fails locally
    ots.uid = '';
    ots.key = '';
    expect(value(await otsRecent())).toBe('Authentication Required');

    // ots_set_user "$APIUSER"; ots_set_key "$APIKEY"
    ots.uid = ALICE.email;
    ots.key = ALICE.token;
    const METAKEY = value(await otsMetashare(SECRET));
    expect(METAKEY).toMatch(/^[0-9a-z]{31}$/);
    const FIRST = value(await otsRecent()).split('\n')[0];
    expect(FIRST, 'Recent secrets not equal').toBe(METAKEY);

    // ots_state and ots_key send no credentials even while they are set: the metadata key is the capability.
    const state = value(await otsState(METAKEY));
    if (ownerOnly) {
      expect(state).toBe('Not authorized');
      const KEY = value(await otsKey(METAKEY));
      expect(KEY).toBe('null'); // jq -r '.secret_key' of {"message":"Not authorized"}
      // so `ots_retrieve $(ots_key "$METAKEY")` asks for the secret "null", and the script's assertion fails
      expect(value(await otsRetrieve(KEY))).toBe('Unknown secret');
      return;
    }
    expect(state, "Secret State: 'new' (read without credentials)").toBe('new');
    const KEY = value(await otsKey(METAKEY));
    expect(KEY).toMatch(/^[0-9a-z]{31}$/);
    expect(value(await otsRetrieve(KEY)), "Secret isn't valid.").toBe(SECRET);
    expect(value(await otsState(METAKEY)), "Secret State: 'received'").toBe('received');

    // remove authentication credentials: recent fails locally again
    ots.uid = '';
    ots.key = '';
    expect(value(await otsRecent())).toBe('Authentication Required');
  });
});

// Optional: the script itself and its own test, from a checkout of eengstrom/onetimesecret-bash that this repository
// does not contain (OTS_BASH_DIR=/path/to/checkout; needs bash 4, curl, jq and shunit2 on PATH). Only testRecent runs
// (the others call ./ots, whose host is onetimesecret.com): it is selected with shunit2's suite(), and the test's own
// `.ots.creds` points the script at this server.
const OTS_BASH_DIR = process.env.OTS_BASH_DIR;
describe.runIf(OTS_BASH_DIR)("ots.bash's own test.shunit2 testRecent, from OTS_BASH_DIR", () => {
  it.each([
    ['default', {}, /^OK$/m],
    ['RECEIPTS_OWNER_ONLY=true', { RECEIPTS_OWNER_ONLY: 'true' }, /^FAILED \(failures=\d+\)$/m],
  ])('%s', async (_label, env: Record<string, string>, verdict: RegExp) => {
    const t = await listen(env);
    const dir = mkdtempSync(join(tmpdir(), 'ots-bash-run-'));
    try {
      for (const f of ['ots.bash', 'test.shunit2']) symlinkSync(join(OTS_BASH_DIR!, f), join(dir, f));
      writeFileSync(join(dir, '.ots.creds'), `APIUSER="${ALICE.email}"\nAPIKEY="${ALICE.token}"\nots_set_host "${t.origin}"\n`);
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn('bash', ['-c', 'suite() { suite_addTest testRecent; }; . ./test.shunit2'], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, SHUNIT_COLOR: 'none' },
        });
        let text = '';
        child.stdout.on('data', (c) => (text += String(c)));
        child.stderr.on('data', (c) => (text += String(c)));
        child.once('error', reject);
        child.once('close', () => resolve(text));
      });
      if (TRANSCRIPT) appendFileSync(TRANSCRIPT, `\n# ots.bash's own testRecent (shunit2), ${_label}:\n${out}`);
      expect(out).toMatch(/^Ran 1 test\.$/m);
      expect(out).toMatch(verdict);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await t.close();
    }
  });
});

if (TRANSCRIPT) writeFileSync(TRANSCRIPT, `# ots.bash (eengstrom/onetimesecret-bash) flow replayed with curl, ${new Date().toISOString()}\n`);
