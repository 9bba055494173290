// The Helm chart (charts/switchboard) as an SRE would meet it: `helm lint --strict`, `helm template`
// with the default values and with every feature on (charts/switchboard/ci/all-on-values.yaml),
// then the properties that keep production safe, read from the rendered objects. helm comes from
// deploy/local/tools.sh (installed by test/global-setup.ts); without it every test here fails.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createMetricsRegistry } from '../../packages/runtime/src/metrics';
import { PresenceMetrics } from '../../services/presence/src/owner/owner-metrics';
import { CoalescerMetrics } from '../../services/presence/src/fanout/coalescer-metrics';
import { PushMetrics } from '../../services/push/src/pipeline/push-metrics';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

const ROOT = path.resolve(__dirname, '../..');
const HELM = path.join(ROOT, '.local/bin/helm');
const CHART = path.join(ROOT, 'charts/switchboard');
const ALL_ON = path.join(CHART, 'ci/all-on-values.yaml');
const SERVICES = ['gateway', 'guild', 'presence', 'push'] as const;
const OPS_PORTS = { gateway: 9091, guild: 9092, presence: 9093, push: 9094 } as const;
/** The gateway is a StatefulSet (stable pod names that peers dial for cross-instance resume); the
 * other services are Deployments. */
const WORKLOAD_KIND = { gateway: 'StatefulSet', guild: 'Deployment', presence: 'Deployment', push: 'Deployment' } as const;
const GATEWAY_GRPC_PORT = 50051;

function helm(args: string[]): { status: number; stdout: string; stderr: string } {
  if (!fs.existsSync(HELM)) {
    throw new Error(`helm is missing at ${HELM}: run \`deploy/local/tools.sh helm\` (test/global-setup.ts should have)`);
  }
  const result = spawnSync(HELM, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function render(valuesArgs: string[]): Manifest[] {
  const out = helm(['template', 'sb', CHART, '--namespace', 'switchboard', ...valuesArgs]);
  if (out.status !== 0) throw new Error(`helm template failed:\n${out.stderr}`);
  return parseAllDocuments(out.stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

const ofKind = (objects: Manifest[], kind: string) => objects.filter((o) => o.kind === kind);
const componentOf = (o: Manifest) => o.metadata.labels?.['app.kubernetes.io/component'];
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every metric name a PromQL expression selects (identifiers followed by a label matcher). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]!);
}

/** Metrics that exist: what a service's registry exports today (the process metrics plus the
 * presence owner's, the presence coalescer's and the push pipeline's own), Prometheus' `up`, and
 * the kube-state-metrics series the restart and memory-limit alerts join with. */
async function existingMetrics(): Promise<Set<string>> {
  const registry = createMetricsRegistry({ service: 'gateway' });
  // The services' metric classes register themselves on the registry they are given.
  new PresenceMetrics(registry);
  new CoalescerMetrics(registry);
  new PushMetrics(registry);
  const names = new Set<string>(['up']);
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
  }
  for (const n of ['kube_pod_container_status_restarts_total', 'kube_pod_container_status_waiting_reason', 'kube_pod_container_resource_limits']) names.add(n);
  return names;
}

describe('chart – helm lint', () => {
  it('chart – lint – passes --strict with the default values', () => {
    const out = helm(['lint', '--strict', CHART]);
    expect(`${out.stdout}${out.stderr}`).toContain('0 chart(s) failed');
    expect(out.status).toBe(0);
  });

  it('chart – lint – passes --strict with every feature on', () => {
    const out = helm(['lint', '--strict', CHART, '-f', ALL_ON]);
    expect(`${out.stdout}${out.stderr}`).toContain('0 chart(s) failed');
    expect(out.status).toBe(0);
  });
});

describe('chart – values schema', () => {
  it.each([
    ['gateway.replicas=abc', '/gateway/replicas'],
    ['mode=embedded', '/mode'],
    ['guild.ports.grpc=70000', '/guild/ports/grpc'],
    ['securityContext.readOnlyRootFilesystem=maybe', '/securityContext/readOnlyRootFilesystem'],
    ['push.unknownKey=1', '/push'],
    ['gateway.publicUrl=https://gateway.example.com', '/gateway/publicUrl'],
    ['gateway.publicUrl=wss://gateway.example.com/?v=10', '/gateway/publicUrl'],
    ['gateway.tokenSecret.existingSecret=', '/gateway/tokenSecret/existingSecret'],
    ['gateway.tokenSecret.key=', '/gateway/tokenSecret/key'],
    ['gateway.tokenSecret.value=inline', '/gateway/tokenSecret'],
    ['gateway.maxSessions=abc', '/gateway/maxSessions'],
    ['gateway.maxConcurrency=0', '/gateway/maxConcurrency'],
    ['database.keys.gateway=', '/database/keys/gateway'],
    ['gateway.drainWindowSeconds=0', '/gateway/drainWindowSeconds'],
    ['gateway.drainWindowSeconds=abc', '/gateway/drainWindowSeconds'],
    ['metrics.prometheusRule.presencePendingUsers=abc', '/metrics/prometheusRule/presencePendingUsers'],
    ['metrics.prometheusRule.pushDeadLetterRatio=0', '/metrics/prometheusRule/pushDeadLetterRatio'],
    ['metrics.prometheusRule.pushConsumerLagSeconds=-1', '/metrics/prometheusRule/pushConsumerLagSeconds'],
    ['metrics.prometheusRule.pushProviderLatencyP99Seconds=0', '/metrics/prometheusRule/pushProviderLatencyP99Seconds'],
  ])('chart – schema – rejects --set %s', (setting, where) => {
    const out = helm(['template', 'sb', CHART, '--set', setting]);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain(where);
  });

  it('chart – schema – rejects a shutdown window that leaves no time after the preStop sleep', () => {
    const out = helm(['template', 'sb', CHART, '--set', 'gateway.terminationGracePeriodSeconds=10', '--set', 'gateway.preStopSleepSeconds=8']);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('gateway.terminationGracePeriodSeconds must exceed preStopSleepSeconds');
  });

  it('chart – schema – rejects a gateway drain window longer than half the shutdown grace (plus margin)', () => {
    // Defaults: grace 120 - preStop 5 - 5 = 110 s of SWITCHBOARD_SHUTDOWN_GRACE; 2 x 50 + 10 = 110 fits, 2 x 51 + 10 does not.
    expect(helm(['template', 'sb', CHART, '--set', 'gateway.drainWindowSeconds=50']).status).toBe(0);
    const out = helm(['template', 'sb', CHART, '--set', 'gateway.drainWindowSeconds=51']);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('must be at least 2 x gateway.drainWindowSeconds');
  });

  it('chart – schema – rejects more guild replicas than event partitions (the extra ones would own nothing)', () => {
    const out = helm(['template', 'sb', CHART, '--set', 'guild.eventPartitions=4', '--set', 'guild.autoscaling.maxReplicas=5']);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('guild.autoscaling.maxReplicas must not exceed guild.eventPartitions');
  });

  it('chart – guild – gets no PRESENCE_ADDRESS when the presence service is disabled (presences are then empty)', () => {
    const out = helm(['template', 'sb', CHART, '--set', 'presence.enabled=false']);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('GUILD_EVENT_PARTITIONS');
    expect(out.stdout).not.toContain('PRESENCE_ADDRESS');
  });

  it('chart – push – mounts the apps Secret read-only and names its file in PUSH_APPS_FILE; none without one', () => {
    const pushOf = (manifests: Manifest[]) => manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'sb-switchboard-push')!;
    const withApps = pushOf(render(['--set', 'push.apps.existingSecret=push-apps', '--set', 'push.apps.fileKey=apps.json']));
    const container = withApps.spec.template.spec.containers[0];
    expect(container.env.find((e: any) => e.name === 'PUSH_APPS_FILE')?.value).toBe('/etc/switchboard/push-apps/apps.json');
    expect(container.volumeMounts).toContainEqual({ name: 'push-apps', mountPath: '/etc/switchboard/push-apps', readOnly: true });
    expect(withApps.spec.template.spec.volumes).toContainEqual({ name: 'push-apps', secret: { secretName: 'push-apps' } });
    expect(container.env.find((e: any) => e.name === 'PUSH_MAX_IN_FLIGHT')?.value).toBe('1000');
    // The young generation bench:push was measured with (values.yaml push.nodeOptions).
    expect(container.env.find((e: any) => e.name === 'NODE_OPTIONS')?.value).toBe('--max-semi-space-size=64');
    const without = pushOf(render([]));
    expect(without.spec.template.spec.containers[0].env.some((e: any) => e.name === 'PUSH_APPS_FILE')).toBe(false);
    expect(without.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['tmp']);
  });

  it('chart – schema – rejects a sessions HPA target above what one gateway accepts', () => {
    const out = helm(['template', 'sb', CHART, '--set', 'gateway.autoscaling.enabled=true', '--set', 'gateway.maxSessions=1000']);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('gateway.autoscaling.targetSessionsPerPod must not exceed gateway.maxSessions');
  });
});

/** The rendered PrometheusRule's alerts by name, and its group names. */
function renderedAlerts(valuesArgs: string[]): { groups: string[]; alerts: Map<string, any> } {
  const rule = render(['-f', ALL_ON, ...valuesArgs]).find((o) => o.kind === 'PrometheusRule');
  if (!rule) throw new Error('no PrometheusRule rendered');
  const groups: any[] = rule.spec.groups;
  return { groups: groups.map((g) => g.name), alerts: new Map(groups.flatMap((g) => g.rules.map((r: any) => [r.alert, r]))) };
}

describe('chart – service alerts', () => {
  it('chart – alerts – presence and push alerts take their thresholds from values and select their own service', () => {
    const { alerts } = renderedAlerts([
      // --set-json: plain --set passes a fraction as a string, which the schema rejects.
      '--set-json', 'metrics.prometheusRule.presencePendingUsers=1234',
      '--set-json', 'metrics.prometheusRule.pushDeadLetterRatio=0.25',
      '--set-json', 'metrics.prometheusRule.pushConsumerLagSeconds=90',
      '--set-json', 'metrics.prometheusRule.pushProviderLatencyP99Seconds=3',
    ]);
    const thresholds = {
      SwitchboardPresenceFlushesFailing: ['presence', '0'],
      SwitchboardPresencePendingUsersHigh: ['presence', '1234'],
      SwitchboardPushDeadLetterRateHigh: ['push', '0.25'],
      SwitchboardPushConsumerLagHigh: ['push', '90'],
      SwitchboardPushProviderLatencyHigh: ['push', '3'],
    };
    for (const [name, [service, threshold]] of Object.entries(thresholds)) {
      const alert = alerts.get(name);
      expect([name, alert?.expr.trim().split(/\s+/).slice(-2).join(' ')]).toEqual([name, `> ${threshold}`]);
      expect([name, alert?.labels.service]).toEqual([name, service]);
      // Every selector of the expression scrapes only that service's job in the release's namespace.
      const selectors: string[] = [...alert.expr.matchAll(/\{([^}]*)\}/g)].map((m: RegExpMatchArray) => m[1]!);
      expect(selectors.length).toBeGreaterThan(0);
      for (const selector of selectors) expect(selector).toBe(`job="sb-switchboard-${service}", namespace="switchboard"`);
    }
  });

  it('chart – alerts – a disabled service gets none of its own alerts', () => {
    const on = renderedAlerts([]);
    expect(on.groups).toEqual(expect.arrayContaining(['switchboard.presence', 'switchboard.push']));
    const off = renderedAlerts(['--set', 'presence.enabled=false', '--set', 'push.enabled=false']);
    expect(off.groups).not.toContain('switchboard.presence');
    expect(off.groups).not.toContain('switchboard.push');
    expect([...off.alerts.keys()].filter((a) => /Presence|Push/.test(a))).toEqual([]);
  });
});

describe('chart – dashboards', () => {
  const dashboards = () => new Map(
    render(['-f', ALL_ON])
      .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
      .flatMap((o) => Object.entries(o.data ?? {}).map(([key, json]) => [`${o.metadata.name}/${key}`, JSON.parse(json)] as const)),
  );

  it('chart – dashboards – ships processes and presence-push, one ConfigMap each', () => {
    const byKey = dashboards();
    expect([...byKey.keys()].sort()).toEqual([
      'sb-switchboard-dashboard-presence-push/presence-push.json',
      'sb-switchboard-dashboard-processes/processes.json',
    ]);
    expect(byKey.get('sb-switchboard-dashboard-presence-push/presence-push.json').title).toBe('Switchboard / Presence and push');
    expect(new Set([...byKey.values()].map((d) => d.uid)).size).toBe(byKey.size);
  });

  it('chart – dashboards – every panel queries the chosen data source, namespace and service (and pod), over $__rate_interval', () => {
    for (const [key, dashboard] of dashboards()) {
      expect([key, dashboard.templating.list.map((v: any) => v.name)]).toEqual([key, ['datasource', 'namespace', 'service', 'pod']]);
      const ids: number[] = dashboard.panels.map((p: any) => p.id);
      expect([key, new Set(ids).size]).toEqual([key, ids.length]);
      for (const panel of dashboard.panels.filter((p: any) => p.type !== 'row')) {
        expect([panel.title, panel.datasource]).toEqual([panel.title, { type: 'prometheus', uid: '${datasource}' }]);
        expect([panel.title, panel.targets.length > 0]).toEqual([panel.title, true]);
        for (const target of panel.targets) {
          expect([panel.title, target.datasource.uid]).toEqual([panel.title, '${datasource}']);
          const selectors = [...(target.expr as string).matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
          expect(selectors.length).toBeGreaterThan(0);
          // Per-service panels (instance counts) may leave the pod out; nothing else is selected.
          for (const selector of selectors) {
            expect([target.expr, selector.replace(/, pod=~"\$pod"$/, '')]).toEqual([target.expr, 'namespace=~"$namespace", service=~"$service"']);
          }
          for (const range of (target.expr as string).matchAll(/\[([^\]]*)\]/g)) expect([target.expr, range[1]]).toEqual([target.expr, '$__rate_interval']);
        }
      }
    }
  });
});

describe.each([
  [
    'default values',
    [] as string[],
    { gatewayGrace: 120, gatewayPreStop: 5, gatewayHpa: false, monitoring: false, publicUrl: undefined as string | undefined, maxSessions: '25000', maxConcurrency: '1', drainWindow: 30 },
  ],
  [
    'every feature on',
    ['-f', ALL_ON],
    { gatewayGrace: 180, gatewayPreStop: 10, gatewayHpa: true, monitoring: true, publicUrl: 'wss://gateway.example.com', maxSessions: '12000', maxConcurrency: '16', drainWindow: 30 },
  ],
])('chart – rendered with %s', (_label, args, expected) => {
  let objects: Manifest[];
  beforeAll(() => {
    objects = render(args);
  });

  /** The workload of a service: the gateway's StatefulSet, the others' Deployment. */
  const workload = (name: (typeof SERVICES)[number]) => {
    const kind = WORKLOAD_KIND[name];
    const d = ofKind(objects, kind).find((o) => componentOf(o) === name);
    if (!d) throw new Error(`no ${kind} for ${name}`);
    return d;
  };
  const envOf = (name: (typeof SERVICES)[number]) =>
    new Map((workload(name).spec.template.spec.containers[0].env as any[]).map((e) => [e.name, e]));
  const gatewayPeers = () => {
    const service = ofKind(objects, 'Service').find((s) => s.metadata.name === 'sb-switchboard-gateway-peers');
    if (!service) throw new Error('no gateway peers Service');
    return service;
  };

  it('chart – workloads – one per service (the gateway a StatefulSet, the others Deployments), in cluster mode', () => {
    expect(ofKind(objects, 'Deployment').map(componentOf).sort()).toEqual(['guild', 'presence', 'push']);
    expect(ofKind(objects, 'StatefulSet').map(componentOf)).toEqual(['gateway']);
    const config = ofKind(objects, 'ConfigMap').find((o) => o.metadata.name === 'sb-switchboard-config');
    expect(config?.data?.SWITCHBOARD_MODE).toBe('cluster');
    expect(config?.data?.KAFKA_BROKERS).toMatch(/^[^,]+:\d+/);
  });

  it.each(SERVICES)('chart – %s – runs hardened: non-root, read-only root, no privileges, only /tmp writable', (name) => {
    const pod = workload(name).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(Number.isInteger(pod.securityContext.runAsUser) && pod.securityContext.runAsUser > 0).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers).toHaveLength(1);
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // /tmp is the one writable mount; anything else (push's apps Secret) is mounted read-only.
    expect(container.volumeMounts[0]).toEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(container.volumeMounts.slice(1).every((m: { readOnly?: boolean }) => m.readOnly === true)).toBe(true);
    expect(pod.volumes[0]).toEqual(expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) }));
    expect(pod.volumes.slice(1).every((v: { secret?: unknown }) => v.secret !== undefined)).toBe(true);
  });

  it.each(SERVICES)('chart – %s – rolls out without losing capacity (or, the gateway, sessions) and is probed on its ops port', (name) => {
    const d = workload(name);
    if (d.kind === 'StatefulSet') {
      // No surge for a StatefulSet: one pod at a time is replaced, draining its sessions to its
      // peers through the governing headless Service; the PDB bounds voluntary disruptions.
      expect(d.spec.updateStrategy.type).toBe('RollingUpdate');
      expect(d.spec.updateStrategy.rollingUpdate?.maxUnavailable).toBeUndefined();
      expect(d.spec.podManagementPolicy).toBe('Parallel');
      expect(d.spec.serviceName).toBe(gatewayPeers().metadata.name);
      expect(d.spec.strategy).toBeUndefined();
      const pdb = ofKind(objects, 'PodDisruptionBudget').find((p) => componentOf(p) === name);
      expect(pdb?.spec.maxUnavailable).toBe(1);
    } else {
      expect(d.spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
    }
    // Topology spread counts only the current revision's pods, by the label this kind sets.
    const revisionLabel = d.kind === 'StatefulSet' ? 'controller-revision-hash' : 'pod-template-hash';
    for (const c of d.spec.template.spec.topologySpreadConstraints ?? []) expect(c.matchLabelKeys).toEqual([revisionLabel]);
    const container = d.spec.template.spec.containers[0];
    const ops = container.ports.find((p: any) => p.name === 'ops');
    expect(ops.containerPort).toBe(OPS_PORTS[name]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(container.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    expect(container.resources.limits.memory).toBeDefined();
  });

  it.each(SERVICES)('chart – %s – gets its settings from the environment, finishing shutdown inside the grace period', (name) => {
    const pod = workload(name).spec.template.spec;
    const env: any[] = pod.containers[0].env;
    const byName = new Map(env.map((e) => [e.name, e]));
    expect(byName.get('SWITCHBOARD_INSTANCE_ID')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(byName.get(`${name.toUpperCase()}_HTTP_PORT`)?.value).toBe(String(OPS_PORTS[name]));
    const grace = Number(/^(\d+)s$/.exec(byName.get('SWITCHBOARD_SHUTDOWN_GRACE')?.value ?? '')?.[1]);
    const preStop = pod.containers[0].lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(grace).toBeGreaterThan(0);
    expect(preStop + grace).toBeLessThan(pod.terminationGracePeriodSeconds);
    // Every service owns durable state (and applies its own migrations): each gets its own URL.
    const database = byName.get('DATABASE_URL');
    expect(database?.valueFrom?.secretKeyRef).toEqual({ name: 'switchboard-database', key: `${name.toUpperCase()}_DATABASE_URL` });
    expect(database?.value).toBeUndefined();
    // The token signing key is the gateway's alone, and only ever a Secret reference.
    if (name !== 'gateway') expect(env.filter((e) => e.name.startsWith('GATEWAY_'))).toEqual([]);
  });

  it('chart – gateway – reads its token secret from a Secret and its limits and public URL from values', () => {
    const byName = envOf('gateway');
    expect(byName.get('GATEWAY_TOKEN_SECRET')).toEqual({
      name: 'GATEWAY_TOKEN_SECRET',
      valueFrom: { secretKeyRef: { name: 'switchboard-gateway-token', key: 'GATEWAY_TOKEN_SECRET' } },
    });
    if (expected.publicUrl === undefined) {
      expect(byName.has('GATEWAY_PUBLIC_URL')).toBe(false);
    } else {
      expect(byName.get('GATEWAY_PUBLIC_URL')?.value).toBe(expected.publicUrl);
      expect(expected.publicUrl).toMatch(/^wss?:\/\/[^?#]+$/);
    }
    expect(byName.get('GATEWAY_MAX_SESSIONS')?.value).toBe(expected.maxSessions);
    expect(byName.get('GATEWAY_MAX_CONCURRENCY')?.value).toBe(expected.maxConcurrency);
    // No secret leaks into the ConfigMap every pod reads.
    const config = ofKind(objects, 'ConfigMap').find((o) => o.metadata.name === 'sb-switchboard-config');
    expect(Object.keys(config?.data ?? {}).filter((k) => /SECRET|DATABASE_URL/.test(k))).toEqual([]);
  });

  it('chart – gateway – sleeps before SIGTERM and drains over the configured grace period', () => {
    const pod = workload('gateway').spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(expected.gatewayGrace);
    expect(pod.containers[0].lifecycle.preStop).toEqual({ sleep: { seconds: expected.gatewayPreStop } });
    expect(pod.containers[0].ports.map((p: any) => p.name)).toContain('public');
    const publicService = ofKind(objects, 'Service').find((s) => s.metadata.name === 'sb-switchboard-gateway-public');
    expect(publicService?.spec.ports.map((p: any) => p.targetPort)).toEqual(['public']);
  });

  it('chart – gateway – spreads op 7 over a drain window that fits twice in the shutdown grace', () => {
    const byName = envOf('gateway');
    const window = Number(/^(\d+)s$/.exec(byName.get('GATEWAY_DRAIN_WINDOW')?.value ?? '')?.[1]);
    const grace = Number(/^(\d+)s$/.exec(byName.get('SWITCHBOARD_SHUTDOWN_GRACE')?.value ?? '')?.[1]);
    expect(window).toBe(expected.drainWindow);
    // The gateway caps the window at half the grace; a margin is left for the last clients' handoffs.
    expect(grace).toBeGreaterThanOrEqual(2 * window + 10);
    const pod = workload('gateway').spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pod.containers[0].lifecycle.preStop.sleep.seconds + grace);
  });

  it('chart – gateway – peers dial a session\'s origin pod by its stable name through the headless peers Service', () => {
    const byName = envOf('gateway');
    const sts = workload('gateway');
    const peers = gatewayPeers();
    // The instance id is the pod name, which the StatefulSet keeps stable and resolvable.
    expect(byName.get('SWITCHBOARD_INSTANCE_ID')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(byName.get('GATEWAY_PEER_ADDRESS_TEMPLATE')?.value).toBe(`%s.${peers.metadata.name}.switchboard.svc.cluster.local:${GATEWAY_GRPC_PORT}`);
    expect(sts.spec.serviceName).toBe(peers.metadata.name);
    expect(peers.spec.clusterIP).toBe('None');
    // A draining pod fails /readyz but must stay resolvable while peers take its sessions over.
    expect(peers.spec.publishNotReadyAddresses).toBe(true);
    expect(matches(peers.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(peers.spec.ports).toEqual([expect.objectContaining({ name: 'grpc', port: GATEWAY_GRPC_PORT, targetPort: 'grpc' })]);
    const grpc = sts.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'grpc');
    expect(grpc.containerPort).toBe(GATEWAY_GRPC_PORT);
    // Not scraped through it (the ServiceMonitor selects the metrics Service only).
    expect(peers.metadata.labels?.['switchboard.io/metrics']).toBeUndefined();
  });

  it('chart – guild – gateways reach every guild instance through the headless guild peers Service', () => {
    const gateway = envOf('gateway');
    const guild = envOf('guild');
    const peers = ofKind(objects, 'Service').find((s) => s.metadata.name === 'sb-switchboard-guild-peers');
    expect(peers?.spec.clusterIP).toBe('None');
    // Only ready guild instances: one that is not ready yet owns no partition.
    expect(peers?.spec.publishNotReadyAddresses).toBeUndefined();
    expect(matches(peers!.spec.selector, workload('guild').spec.template.metadata.labels)).toBe(true);
    expect(gateway.get('GUILD_FANOUT_TARGETS')?.value).toBe('dns:sb-switchboard-guild-peers.switchboard.svc.cluster.local:50052');
    expect(gateway.get('GUILD_ADDRESS')?.value).toBe('sb-switchboard-guild.switchboard.svc.cluster.local:50052');
    expect(guild.get('GUILD_EVENT_PARTITIONS')?.value).toBe('24');
    expect(guild.get('GUILD_FANOUT_ACK_TIMEOUT')?.value).toBe('10s');
  });

  it('chart – guild – reads presences from the presence Service on its gRPC port', () => {
    const guild = envOf('guild');
    const presence = ofKind(objects, 'Service').find((s) => s.metadata.name === 'sb-switchboard-presence');
    expect(matches(presence!.spec.selector, workload('presence').spec.template.metadata.labels)).toBe(true);
    const grpc = presence!.spec.ports.find((p: any) => p.name === 'grpc');
    expect(guild.get('PRESENCE_ADDRESS')?.value).toBe(`sb-switchboard-presence.switchboard.svc.cluster.local:${grpc.port}`);
  });

  it('chart – presence – publishes its coalesced changes to the guild Service on its gRPC port', () => {
    const presence = envOf('presence');
    const guild = ofKind(objects, 'Service').find((s) => s.metadata.name === 'sb-switchboard-guild');
    const grpc = guild!.spec.ports.find((p: any) => p.name === 'grpc');
    expect(presence.get('GUILD_ADDRESS')?.value).toBe(`sb-switchboard-guild.switchboard.svc.cluster.local:${grpc.port}`);
    expect(presence.get('PRESENCE_COALESCE_WINDOW')?.value).toBe('1s');
    expect(presence.get('DATABASE_URL')).toBeDefined();
  });

  it('chart – autoscaling – gateway on sessions per pod, the others on CPU, each targeting its workload', () => {
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    for (const hpa of hpas) {
      const name = componentOf(hpa) as (typeof SERVICES)[number];
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: WORKLOAD_KIND[name], name: workload(name).metadata.name });
    }
    const gateway = hpas.find((h) => componentOf(h) === 'gateway');
    if (expected.gatewayHpa) {
      expect(gateway?.spec.scaleTargetRef.kind).toBe('StatefulSet');
      expect(gateway?.spec.metrics).toEqual([
        { type: 'Pods', pods: { metric: { name: 'switchboard_gateway_sessions' }, target: { type: 'AverageValue', averageValue: expect.any(String) } } },
      ]);
      expect(workload('gateway').spec.replicas).toBeUndefined();
    } else {
      expect(gateway).toBeUndefined();
    }
    for (const name of ['guild', 'presence', 'push']) {
      const hpa = hpas.find((h) => componentOf(h) === name);
      expect(hpa?.spec.metrics[0]).toMatchObject({ type: 'Resource', resource: { name: 'cpu' } });
    }
  });

  it('chart – selectors – every Service, PDB and NetworkPolicy selects the pods of its own service', () => {
    const podLabels = (name: (typeof SERVICES)[number]) => workload(name).spec.template.metadata.labels;
    const selected = [
      ...ofKind(objects, 'Service').map((s) => [s, s.spec.selector] as const),
      ...ofKind(objects, 'PodDisruptionBudget').map((p) => [p, p.spec.selector.matchLabels] as const),
      ...ofKind(objects, 'NetworkPolicy').map((n) => [n, n.spec.podSelector.matchLabels] as const),
    ];
    for (const [object, selector] of selected) {
      const name = componentOf(object) as (typeof SERVICES)[number];
      expect(selector['app.kubernetes.io/component']).toBe(name);
      expect(matches(selector, podLabels(name))).toBe(true);
      for (const other of SERVICES.filter((s) => s !== name)) expect(matches(selector, podLabels(other))).toBe(false);
    }
    expect(ofKind(objects, 'NetworkPolicy').map(componentOf).sort()).toEqual([...SERVICES].sort());
    expect(ofKind(objects, 'PodDisruptionBudget').map(componentOf).sort()).toEqual([...SERVICES].sort());
  });

  it('chart – network policies – open the public port to all, ops only to monitoring, gRPC only to listed callers', () => {
    for (const policy of ofKind(objects, 'NetworkPolicy')) {
      const containerPorts = new Set(workload(componentOf(policy) as (typeof SERVICES)[number]).spec.template.spec.containers[0].ports.map((p: any) => p.name));
      for (const rule of policy.spec.ingress) {
        for (const port of rule.ports) expect(containerPorts.has(port.port)).toBe(true);
        const portNames = rule.ports.map((p: any) => p.port);
        if (rule.from === undefined) expect(portNames).toEqual(['public']);
        if (portNames.includes('ops')) expect(rule.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
        if (portNames.includes('grpc')) expect(rule.from.length).toBeGreaterThan(0);
      }
    }
  });

  it('chart – network policies – the gateway gRPC port (admin RPCs: MintToken, ...) is open only to guild, presence, the other gateways and product clients', () => {
    const policy = ofKind(objects, 'NetworkPolicy').find((n) => componentOf(n) === 'gateway')!;
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const podLabels = (name: (typeof SERVICES)[number]) => workload(name).spec.template.metadata.labels;
    // A rule without ports opens every port, and one without `from` admits every source.
    for (const rule of policy.spec.ingress) expect(rule.ports?.length).toBeGreaterThan(0);
    const grpcRules = policy.spec.ingress.filter((r: any) => r.ports.some((p: any) => p.port === 'grpc' || p.port === GATEWAY_GRPC_PORT));
    expect(grpcRules).toHaveLength(1);
    const peers: any[] = grpcRules[0].from;
    expect(peers).toBeDefined();
    for (const peer of peers) {
      // Never an address block, never a bare (or empty) namespace selector: each peer names pods.
      expect(peer.ipBlock).toBeUndefined();
      expect(Object.keys(peer.podSelector?.matchLabels ?? {}).length).toBeGreaterThan(0);
    }
    const allowed = peers.map((peer) => peer.podSelector.matchLabels);
    expect(allowed.some((sel) => matches(sel, podLabels('guild')))).toBe(true);
    expect(allowed.some((sel) => matches(sel, podLabels('presence')))).toBe(true);
    expect(allowed).toContainEqual({ 'switchboard.io/client': 'true' });
    // Gateway -> gateway: cross-instance resume calls the session's origin pod (TakeSession,
    // ReleaseSession), by exactly the gateway selector (same release, same component).
    const gatewaySelector = workload('gateway').spec.selector.matchLabels;
    expect(allowed).toContainEqual(gatewaySelector);
    expect(grpcRules[0].ports).toEqual([{ port: 'grpc', protocol: 'TCP' }]);
    // Not push, not another release's gateway, and not an unlabelled pod.
    expect(allowed.some((sel) => matches(sel, podLabels('push')))).toBe(false);
    expect(allowed.some((sel) => matches(sel, { ...podLabels('gateway'), 'app.kubernetes.io/instance': 'other' }))).toBe(false);
    expect(allowed.some((sel) => matches(sel, { app: 'anything' }))).toBe(false);
    // Only the public port is open to everyone, and the public Service carries only that port.
    const open = policy.spec.ingress.filter((r: any) => r.from === undefined);
    expect(open.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([['public']]);
  });

  it('chart – monitoring – ServiceMonitors scrape each service once, alerts and dashboards use only metrics that exist', async () => {
    const monitors = ofKind(objects, 'ServiceMonitor');
    const rules = ofKind(objects, 'PrometheusRule');
    const dashboards = ofKind(objects, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    if (!expected.monitoring) {
      expect([monitors, rules, dashboards]).toEqual([[], [], []]);
      return;
    }
    const services = ofKind(objects, 'Service');
    expect(monitors.map(componentOf).sort()).toEqual([...SERVICES].sort());
    for (const monitor of monitors) {
      expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(services.filter((s) => matches(monitor.spec.selector.matchLabels, s.metadata.labels))).toHaveLength(1);
      expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'ops', path: '/metrics' });
    }
    const known = await existingMetrics();
    const alerts = rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules));
    expect(alerts.map((a: any) => a.alert)).toEqual(expect.arrayContaining([
      'SwitchboardInstanceDown', 'SwitchboardServiceAbsent', 'SwitchboardEventLoopLagHigh', 'SwitchboardCrashLooping', 'SwitchboardMemoryNearLimit',
      'SwitchboardPresenceFlushesFailing', 'SwitchboardPresencePendingUsersHigh',
      'SwitchboardPushDeadLetterRateHigh', 'SwitchboardPushConsumerLagHigh', 'SwitchboardPushProviderLatencyHigh',
    ]));
    for (const alert of alerts) {
      expect(metricNames(alert.expr).length).toBeGreaterThan(0);
      for (const metric of metricNames(alert.expr)) expect([alert.alert, known.has(metric) ? 'exists' : metric]).toEqual([alert.alert, 'exists']);
    }
    expect(dashboards.length).toBeGreaterThan(0);
    for (const map of dashboards) {
      for (const json of Object.values(map.data ?? {})) {
        const dashboard = JSON.parse(json);
        const exprs: string[] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
        expect(exprs.length).toBeGreaterThan(5);
        for (const expr of exprs) for (const metric of metricNames(expr)) expect([expr, known.has(metric)]).toEqual([expr, true]);
      }
    }
  });
});
