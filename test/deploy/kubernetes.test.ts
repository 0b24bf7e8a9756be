// deploy/kubernetes, checked without a cluster (none runs here): `kubectl kustomize` renders it, every rendered
// object validates against the Kubernetes API schemas (kubernetes-models), and the objects hold what the README
// promises: stateless replicas with /health and /ready probes, the security settings docker-compose.yml gives the
// app, OTS_SECRET and the Redis settings from a Secret that can be named, a Service and a PodDisruptionBudget.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { settings } from '../../src/config.js';
import { ROOT } from '../e2e/built.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};
/** Settings that must come from the Secret, never from the ConfigMap. */
const SECRET_SETTINGS = ['OTS_SECRET', 'OTS_SECRET_PREVIOUS', 'REDIS_URL', 'REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD', 'SMTP_URL', 'OTS_ACCOUNTS', 'WEBHOOK_URL', 'WEBHOOK_SECRET'];

interface Rendered {
  objects: { apiVersion: string; kind: string; metadata: { name: string } }[];
  deployment: IDeployment;
  service: IService;
  pdb: IPodDisruptionBudget;
  configMap: IConfigMap;
}

function kustomize(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8' }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error('kubectl is not installed: apt-get install kubectl (.ci/run installs it); it renders deploy/kubernetes'));
      } else if (err) reject(new Error(`kubectl kustomize ${dir} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

async function render(dir: string): Promise<Rendered> {
  const objects = parseAllDocuments(await kustomize(dir)).map((doc) => doc.toJS() as Rendered['objects'][number]);
  const one = <T>(kind: string) => objects.find((o) => o.kind === kind) as T;
  return { objects, deployment: one('Deployment'), service: one('Service'), pdb: one('PodDisruptionBudget'), configMap: one('ConfigMap') };
}

const setting = (env: string) => Object.values(settings).find((s) => s.env === env)!;

describe('deploy/kubernetes, as `kubectl kustomize` renders it', () => {
  let r: Rendered;
  beforeAll(async () => {
    r = await render('deploy/kubernetes');
  });
  const pod = () => r.deployment.spec!.template.spec!;
  const container = () => pod().containers[0]!;

  it('renders exactly a ConfigMap, a Service, a Deployment and a PodDisruptionBudget, each valid by the Kubernetes schemas', () => {
    expect(r.objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
    for (const object of r.objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('runs 2 stateless replicas of one container, rolling without losing capacity', () => {
    expect(r.deployment.spec!.replicas).toBe(2);
    expect(r.deployment.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(pod().containers).toHaveLength(1);
    expect(pod().volumes).toBeUndefined(); // nothing kept in the pod
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(container().image).toBe(`ots-server:${version}`);
  });

  it('probes /health for liveness and /ready for readiness, on the port the server listens on', () => {
    const port = container().ports!.find((p) => p.name === 'http')!;
    expect(port.containerPort).toBe(Number(setting('PORT').default));
    expect(container().env).toEqual([
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'PORT', value: String(port.containerPort) },
    ]);
    expect(container().livenessProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container().readinessProbe!.httpGet).toEqual({ path: '/ready', port: 'http' });
    // Past SHUTDOWN_TIMEOUT, so the server's own graceful stop ends before the kubelet's SIGKILL.
    expect(pod().terminationGracePeriodSeconds).toBeGreaterThan(Number(setting('SHUTDOWN_TIMEOUT').default));
  });

  it("has the security settings docker-compose.yml gives the app, and more: non-root, read-only, no capabilities, seccomp, no token", () => {
    const app = (parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { app: { read_only: boolean; cap_drop: string[]; security_opt: string[] } };
    }).services.app;
    expect(app).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
    expect(container().securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000, // the image's node user
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod().securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod().automountServiceAccountToken).toBe(false);
  });

  it('takes OTS_SECRET and the Redis settings from the Secret ots-server, the rest from the ConfigMap', () => {
    expect(container().envFrom).toEqual([
      { configMapRef: { name: r.configMap.metadata!.name } },
      { secretRef: { name: 'ots-server' } }, // last: it wins
    ]);
    expect(r.configMap.metadata!.name).toMatch(/^ots-server-settings-[a-z0-9]+$/); // content hash: a change rolls out
    const known = new Set(Object.values(settings).map((s) => s.env));
    for (const name of Object.keys(r.configMap.data!)) {
      expect(known.has(name), `${name} is a setting`).toBe(true);
      expect(SECRET_SETTINGS, `${name} belongs in the Secret`).not.toContain(name);
    }
    expect(r.objects.map((o) => o.kind)).not.toContain('Secret'); // never a key in the repository
  });

  it('puts a Service and a PodDisruptionBudget in front of exactly these pods', () => {
    const podLabels = r.deployment.spec!.template.metadata!.labels!;
    expect(r.deployment.spec!.selector.matchLabels).toEqual(podLabels);
    expect(r.service.spec!.selector).toEqual(podLabels);
    expect(r.service.spec!.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(r.pdb.spec!.selector!.matchLabels).toEqual(podLabels);
    expect(r.pdb.spec!.minAvailable).toBe(1);
  });

  it('names an existing Secret in deploy/kubernetes/existing-secret, and changes nothing else', async () => {
    const variant = await render('deploy/kubernetes/existing-secret');
    expect(variant.deployment.spec!.template.spec!.containers[0]!.envFrom![1]).toEqual({ secretRef: { name: 'my-existing-secret' } });
    variant.deployment.spec!.template.spec!.containers[0]!.envFrom![1] = { secretRef: { name: 'ots-server' } };
    expect(variant.objects).toEqual(r.objects);
  });
});
