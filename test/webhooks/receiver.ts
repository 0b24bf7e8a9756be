// A webhook receiver on 127.0.0.1 for the tests: records every post (headers and raw body) and answers as told.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../api/socket.js';

export interface ReceivedPost {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** When it arrived, epoch ms. */
  at: number;
}

/** How the receiver answers one post; the default answers 204. */
export type Answer = (req: IncomingMessage, res: ServerResponse, post: ReceivedPost) => void;

export interface Receiver {
  url: string;
  posts: ReceivedPost[];
  answer: Answer;
  close(): Promise<void>;
}

export const answerStatus =
  (status: number): Answer =>
  (_req, res) => {
    res.statusCode = status;
    res.end();
  };

export async function startReceiver(answer: Answer = answerStatus(204)): Promise<Receiver> {
  const receiver: Receiver = { url: '', posts: [], answer, close: () => close(server) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const post = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      receiver.posts.push(post);
      receiver.answer(req, res, post);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** `until` (test/api/socket.ts) for the webhook tests' conditions, which are often synchronous. */
export function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  return until(async () => check(), timeoutMs, what);
}
