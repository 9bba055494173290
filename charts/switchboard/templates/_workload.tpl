{{/*
The workload of one service: a Deployment, or a StatefulSet. Context: (dict "root" $ "name"
"<service>" "env" <YAML list items, optional> "ports" <YAML list items, optional> "volumes" and
"volumeMounts" <YAML list items, optional> "statefulSet" <dict, optional>) — env, ports and
volumes are what only that service has. statefulSet (the gateway's:
dict "serviceName" <governing headless Service>) makes it a StatefulSet, so pods get stable names
that peers can dial.
*/}}
{{- define "switchboard.deployment" -}}
{{- $v := index .root.Values .name -}}
{{- $fullname := include "switchboard.componentName" . }}
---
apiVersion: apps/v1
kind: {{ if .statefulSet }}StatefulSet{{ else }}Deployment{{ end }}
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "switchboard.labels" . | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "switchboard.selectorLabels" . | nindent 6 }}
  {{- with .statefulSet }}
  # The governing headless Service: gives each pod the DNS name <pod>.<serviceName>.<namespace>.svc.
  serviceName: {{ .serviceName }}
  # Pods start and stop in parallel, not one ordinal at a time: they share nothing but their names.
  podManagementPolicy: Parallel
  # A StatefulSet cannot surge (no maxSurge, no maxUnavailable: 0): a rolling update deletes one
  # pod, then creates its replacement under the same name, highest ordinal first. Sessions are not
  # lost on the way: the deleted pod drains (op 7 spread over GATEWAY_DRAIN_WINDOW) and its clients
  # RESUME on the other pods, which take each session over from it through the peer gRPC port
  # while it stays resolvable (publishNotReadyAddresses) until its grace ends; the next pod goes
  # only once the replacement is ready. The PodDisruptionBudget bounds voluntary disruptions (node
  # drains) to pdb.maxUnavailable at a time.
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      partition: 0
  {{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # Never remove a ready pod before its replacement is ready.
      maxUnavailable: 0
      maxSurge: {{ $v.rollingUpdate.maxSurge }}
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "switchboard.labels" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # Roll the pods when the shared settings change.
        checksum/config: {{ include (print .root.Template.BasePath "/config.yaml") .root | sha256sum }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "switchboard.serviceAccountName" . }}
      # The services never call the Kubernetes API; Workload Identity needs no token mount.
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with .root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      securityContext:
        {{- include "switchboard.podSecurityContext" . | nindent 8 }}
      {{- if .root.Values.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range $key, $when := dict "topology.kubernetes.io/zone" .root.Values.topologySpread.zoneWhenUnsatisfiable "kubernetes.io/hostname" .root.Values.topologySpread.nodeWhenUnsatisfiable }}
        - topologyKey: {{ $key }}
          maxSkew: {{ $.root.Values.topologySpread.maxSkew }}
          whenUnsatisfiable: {{ $when }}
          labelSelector:
            matchLabels:
              {{- include "switchboard.selectorLabels" $ | nindent 14 }}
          # Only the current rollout's pods (a StatefulSet labels its revisions differently).
          matchLabelKeys: [{{ if $.statefulSet }}controller-revision-hash{{ else }}pod-template-hash{{ end }}]
        {{- end }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "switchboard.image" . | quote }}
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          securityContext:
            {{- include "switchboard.containerSecurityContext" . | nindent 12 }}
          ports:
            - name: grpc
              containerPort: {{ $v.ports.grpc }}
              protocol: TCP
            - name: ops
              containerPort: {{ $v.ports.ops }}
              protocol: TCP
            {{- with .ports }}
            {{- . | nindent 12 }}
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "switchboard.fullname" .root }}-config
          env:
            {{- include "switchboard.commonEnv" . | nindent 12 }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- if .root.Values.probes.grpc.enabled }}
          # Startup waits for the standard gRPC health check (grpc.health.v1) to say SERVING.
          startupProbe:
            grpc:
              port: {{ $v.ports.grpc }}
            periodSeconds: 2
            failureThreshold: 60
          {{- else }}
          # Startup (migrations, Kafka connection) may take a while; liveness waits for it.
          startupProbe:
            httpGet:
              path: /healthz
              port: ops
            periodSeconds: 2
            failureThreshold: 60
          {{- end }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: ops
            periodSeconds: 5
            timeoutSeconds: 2
            failureThreshold: 2
          livenessProbe:
            httpGet:
              path: /healthz
              port: ops
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          {{- if gt (int $v.preStopSleepSeconds) 0 }}
          lifecycle:
            # Endpoints and load balancers drop the pod while it still serves; then SIGTERM.
            preStop:
              {{- if semverCompare ">=1.30-0" .root.Capabilities.KubeVersion.Version }}
              sleep:
                seconds: {{ $v.preStopSleepSeconds }}
              {{- else }}
              exec:
                command: ["sleep", "{{ $v.preStopSleepSeconds }}"]
              {{- end }}
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        # The only writable path: the root filesystem is read-only.
        - name: tmp
          emptyDir:
            sizeLimit: {{ .root.Values.tmpSizeLimit }}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
{{- end -}}
