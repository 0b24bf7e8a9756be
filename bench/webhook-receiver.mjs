// The webhook receiver of `npm run bench:webhooks`, in a process of its own so that the load generator's busy
// event loop never slows the answers (which would hold the server's delivery slots longer than a real receiver
// does). Answers 204 to every post on 127.0.0.1 and counts: posts, distinct `webhook-id`s, and posts per event
// type. Tells its port once listening; answers 'stats' over IPC. Plain JavaScript: no loader thread beside it.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

let posts = 0;
const ids = new Set();
const byType = {};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    posts++;
    ids.add(req.headers['webhook-id']);
    let type = 'unreadable';
    try {
      type = JSON.parse(Buffer.concat(chunks).toString('utf8')).type ?? type;
    } catch {
      // counted as unreadable
    }
    byType[type] = (byType[type] ?? 0) + 1;
    res.statusCode = 204;
    res.end();
  });
});

server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));

process.on('message', (msg) => {
  if (msg === 'stats') process.send?.({ posts, distinct: ids.size, byType: { ...byType } });
});
process.on('disconnect', () => process.exit(0));
