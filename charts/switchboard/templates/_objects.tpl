{{/*
Per-service objects that have the same shape for every service. Context: (dict "root" $ "name"
"<service>"). What differs per service (extra ports, the gateway's HPA metric, who may call it)
is in the service's own template file.
*/}}

{{- define "switchboard.serviceAccount" -}}
{{- $v := index .root.Values .name -}}
{{- if $v.serviceAccount.create }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "switchboard.serviceAccountName" . }}
  labels:
    {{- include "switchboard.labels" . | nindent 4 }}
  {{- with $v.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{/* The in-cluster Service (gRPC + ops), and a headless twin so gRPC clients that hold long-lived
streams (gateway <-> guild) can resolve and dial every instance, not one balanced address. */}}
{{- define "switchboard.service" -}}
{{- $v := index .root.Values .name -}}
{{- range $headless := list false true }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "switchboard.componentName" $ }}{{ if $headless }}-headless{{ end }}
  labels:
    {{- include "switchboard.labels" $ | nindent 4 }}
    {{- if not $headless }}
    # The ServiceMonitor scrapes through this Service only (never twice via the headless one).
    switchboard.io/metrics: "true"
    {{- end }}
spec:
  type: ClusterIP
  {{- if $headless }}
  clusterIP: None
  {{- end }}
  selector:
    {{- include "switchboard.selectorLabels" $ | nindent 4 }}
  ports:
    - name: grpc
      port: {{ $v.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    - name: ops
      port: {{ $v.ports.ops }}
      targetPort: ops
      protocol: TCP
      appProtocol: http
{{- end }}
{{- end -}}

{{- define "switchboard.pdb" -}}
{{- $v := index .root.Values .name -}}
{{- if $v.pdb.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "switchboard.componentName" . }}
  labels:
    {{- include "switchboard.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $v.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "switchboard.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* HPA on CPU utilisation (guild, presence, push; the gateway scales on sessions instead). */}}
{{- define "switchboard.cpuHpa" -}}
{{- $v := index .root.Values .name -}}
{{- if $v.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "switchboard.componentName" . }}
  labels:
    {{- include "switchboard.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "switchboard.componentName" . }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}

{{- define "switchboard.serviceMonitor" -}}
{{- $m := .root.Values.metrics.serviceMonitor -}}
{{- if $m.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "switchboard.componentName" . }}
  labels:
    {{- include "switchboard.labels" . | nindent 4 }}
    {{- with $m.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "switchboard.selectorLabels" . | nindent 6 }}
      switchboard.io/metrics: "true"
  namespaceSelector:
    matchNames: [{{ .root.Release.Namespace | quote }}]
  endpoints:
    - port: ops
      path: /metrics
      interval: {{ $m.interval }}
      scrapeTimeout: {{ $m.scrapeTimeout }}
      # Keep the services' own `service` label (gateway, guild, ...) rather than renaming it to
      # exported_service; job (= the Kubernetes Service name), namespace and pod come from the target.
      honorLabels: true
{{- end }}
{{- end -}}

{{/* Ingress rule: Prometheus in the monitoring namespace may scrape the ops port. */}}
{{- define "switchboard.networkPolicy.monitoringRule" -}}
- from:
    - namespaceSelector:
        matchLabels:
          {{- toYaml .root.Values.networkPolicy.monitoringNamespaceSelector | nindent 10 }}
  ports:
    - port: ops
      protocol: TCP
{{- end -}}

{{/* A peer: the pods of another Switchboard service of this release. */}}
{{- define "switchboard.networkPolicy.peer" -}}
- podSelector:
    matchLabels:
      {{- include "switchboard.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* A peer: product clients, in any namespace, labelled as such. */}}
{{- define "switchboard.networkPolicy.clients" -}}
- namespaceSelector: {}
  podSelector:
    matchLabels:
      {{- toYaml .root.Values.networkPolicy.clientPodLabels | nindent 6 }}
{{- end -}}
