// Answers Node itself gives on a connection (a head too large, a request that did not arrive in time, bytes that
// are not HTTP), in the shape of the version the request line names (docs/contracts/ots-v2-api.md §5,
// docs/contracts/ots-v1-api.md §5) instead of Fastify's default body. Written to the raw socket: no route ran.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errors, type OtsError } from '../domain/errors.js';
import { wireOf } from '../plugins/wire.js';
import { v1ErrorParts, type ErrorStatusMode } from './v1/errors.js';
import { v2ErrorParts } from './v2/errors.js';

interface ClientError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** The path of the request the error is about: from the bytes Node could not parse, or the request it was reading. */
function pathOf(err: ClientError, socket: Socket): string {
  const line = err.rawPacket?.subarray(0, 2048).toString('latin1');
  const fromPacket = line === undefined ? undefined : /^[A-Z]+ (\S+)/.exec(line)?.[1];
  // Node keeps the response it is writing on the socket; its `req` is the request whose body timed out.
  const inFlight = (socket as Socket & { _httpMessage?: { req?: { url?: string } } })._httpMessage?.req?.url;
  return fromPacket ?? inFlight ?? '/api';
}

function errorOf(err: ClientError): OtsError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout();
  if (err.code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge();
  return errors.badRequest();
}

/** The raw HTTP/1.1 answer for a connection-level error, closing the connection. */
export function clientErrorResponse(err: ClientError, socket: Socket, mode: ErrorStatusMode): string {
  const e = errorOf(err);
  const path = pathOf(err, socket);
  const wire = wireOf(path);
  let status: number;
  let headers: Record<string, string>;
  let body: string;
  if (wire === 'web') {
    status = v1ErrorParts(e, 'intended').status;
    headers = { 'Content-Type': 'text/plain; charset=utf-8' };
    body = `${STATUS_CODES[status]}\n`;
  } else {
    const parts = wire === 'v2' ? v2ErrorParts(e) : v1ErrorParts(e, mode);
    ({ status, headers } = parts);
    headers = { ...headers, 'Content-Type': 'application/json; charset=utf-8' };
    body = JSON.stringify(parts.body);
  }
  const head = Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  // The base security headers every answer carries (plugins/security-headers.ts).
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`;
}

/** For Fastify's clientErrorHandler: answer in the contract's shape unless the answer has begun, then close. */
export function answerClientError(mode: ErrorStatusMode) {
  return (error: Error, socket: Socket): void => {
    const err = error as ClientError;
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (socket.writable && !started) socket.write(clientErrorResponse(err, socket, mode));
    socket.destroy();
  };
}
