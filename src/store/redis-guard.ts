// How the Redis store waits for Redis and reads its failures: every wait is bounded here (the client has no command
// timeout), failures become the domain's store errors, and a step that destroys or creates something is undone
// when its answer comes after the store gave up on it, so that our own timeout never loses a secret nor keeps one
// whose creator was told it failed.
import { StoreFullError, StoreUnavailableError } from '../domain/store.js';
import { READ_TIMEOUT_MS } from './redis-client.js';

/**
 * Replies by which Redis says it cannot serve now rather than that the command was wrong: loading its data after a
 * restart, a demoted master during a Sentinel failover, a Cluster resharding or down, a disk it cannot write.
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;
/** Redis at maxmemory under noeviction refuses commands that need memory. */
const FULL_REPLY = /^OOM\b/;

/**
 * Redis answered with an error of its own (a bug), as opposed to being unreachable, full or unable to serve. The
 * rule for every reader of the store, `admin stats` included.
 */
export function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(err.message) && !FULL_REPLY.test(err.message);
}

/** The domain's error for a failed command: full, unavailable, or (a reply error: our bug) the error itself. */
export function storeError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  if (err instanceof Error && err.name === 'ReplyError' && FULL_REPLY.test(err.message)) return new StoreFullError(err);
  if (isReplyError(err)) return err;
  return new StoreUnavailableError(err);
}

/**
 * How long the store waits for any answer before the request fails (503): one bound for reads and for steps that
 * commit a change, since a commit given up on is undone when its answer comes (see commit).
 */
export interface Waits {
  timeoutMs: number;
}

export const DEFAULT_WAITS: Waits = { timeoutMs: READ_TIMEOUT_MS };

function bounded<T>(op: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(new Error(`no answer from Redis within ${ms} ms`))), ms);
  });
  return Promise.race([op, gaveUp]).finally(() => clearTimeout(timer));
}

/** A read: bounded; a late answer is dropped (it changed nothing). */
export async function read<T>(op: Promise<T>, waits: Waits): Promise<T> {
  try {
    return await bounded(op, waits.timeoutMs);
  } catch (err) {
    throw storeError(err);
  }
}

/**
 * A step that commits a change (create, claim, burn). When the store gives up first, the request fails (503) and the
 * step's late answer, if it comes, is handed to `undo`, which puts things back as they were: a claimed secret is
 * restored with its receipt, a created one removed. A failure of the undo itself is reported to `lost`.
 */
export async function commit<T>(op: Promise<T>, waits: Waits, undo: (late: T) => Promise<unknown>, lost: (err: unknown) => void): Promise<T> {
  let gaveUp = false;
  op.then(
    (late) => (gaveUp ? undo(late).catch(lost) : undefined),
    () => undefined,
  );
  try {
    return await bounded(op, waits.timeoutMs);
  } catch (err) {
    gaveUp = true;
    throw storeError(err);
  }
}
