// A real reverse proxy for the tests: Debian's nginx on a free 127.0.0.1 port, terminating TLS with a self-signed
// certificate made here (CN localhost, SAN localhost and 127.0.0.1), proxying locations to the app. Config, pid,
// logs and temp files live in a temporary folder, so it runs as root or not without touching /etc or /var. Without
// nginx the caller fails with the command that installs it: nothing skips.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './redis-server.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** One `location` block: requests under `location` go to `pass` (nginx strips the location when `pass` ends in a different path). */
export interface ProxyLocation {
  location: string;
  pass: string;
}

export interface Nginx {
  /** e.g. https://localhost:44321 */
  origin: string;
  port: number;
  /** The certificate (PEM) clients must trust. */
  ca: string;
  /** The access log so far, one request a line: client address, forwarded-for, request, status. */
  accessLog(): string[];
  stop(): Promise<void>;
}

function makeCertificate(dir: string): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { stdio: 'ignore' },
  );
}

function config(dir: string, port: number, locations: ProxyLocation[]): string {
  const blocks = locations.map(
    (l) => `    location ${l.location} {
      proxy_pass ${l.pass};
      proxy_http_version 1.1;
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_redirect off;
    }`,
  );
  // As root, workers would switch to `nobody`, who cannot enter the private temp folder.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 128; }
http {
  log_format ots '$remote_addr "$http_x_forwarded_for" "$request" $status';
  access_log ${dir}/access.log ots;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  client_max_body_size 10m;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
${blocks.join('\n')}
  }
}
`;
}

async function waitForPort(port: number, child: ChildProcess, dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket.end() && true));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await delay(50);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port}`);
}

/** Starts nginx in front of the app; `port` may be chosen beforehand (the app's public URL names it). */
export async function startNginx(locations: ProxyLocation[], port?: number): Promise<Nginx> {
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: install it with "apt-get install -y nginx" (or set NGINX_PATH)`);
  const listenPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'ots-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  makeCertificate(dir);
  writeFileSync(join(dir, 'nginx.conf'), config(dir, listenPort, locations));
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(listenPort, child, dir);
  const log = join(dir, 'access.log');
  return {
    origin: `https://localhost:${listenPort}`,
    port: listenPort,
    ca: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    accessLog: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGQUIT'); // graceful: finish what is in flight, then exit
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
