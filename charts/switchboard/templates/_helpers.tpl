{{/*
Shared helpers: names, labels, image, common environment, security contexts. Most helpers take a
component context: (dict "root" $ "name" "gateway"), where name is one of the four services and
(index .root.Values .name) its values.
*/}}

{{/* Chart name, possibly overridden. */}}
{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every object's name: fullnameOverride, the release name when it already holds
the chart name, else <release>-<chart>. Truncated so "<prefix>-presence-headless" fits 63. */}}
{{- define "switchboard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "switchboard.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one service's objects: <fullname>-<service>. */}}
{{- define "switchboard.componentName" -}}
{{- printf "%s-%s" (include "switchboard.fullname" .root) .name -}}
{{- end -}}

{{- define "switchboard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object of the release (takes the root context). */}}
{{- define "switchboard.commonLabels" -}}
helm.sh/chart: {{ include "switchboard.chart" . }}
app.kubernetes.io/name: {{ include "switchboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: switchboard
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one service: stable across upgrades (never add to these). */}}
{{- define "switchboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchboard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Labels of one service's objects. */}}
{{- define "switchboard.labels" -}}
{{ include "switchboard.commonLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Kubernetes ServiceAccount of one service. */}}
{{- define "switchboard.serviceAccountName" -}}
{{- $sa := (index .root.Values .name).serviceAccount -}}
{{- if $sa.create -}}
{{- default (include "switchboard.componentName" .) $sa.name -}}
{{- else -}}
{{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}

{{/* Image of one service: <registry>/<prefix><service>:<tag or appVersion> (or @sha256:...). */}}
{{- define "switchboard.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s%s" $img.repositoryPrefix .name -}}
{{- if $img.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" $img.registry) $repo }}{{ end -}}
{{- $tag := default .root.Chart.AppVersion $img.tag -}}
{{- if hasPrefix "sha256:" $tag -}}
{{- printf "%s@%s" $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* SWITCHBOARD_SHUTDOWN_GRACE in seconds: what is left of the termination grace period after the
preStop sleep, minus 5 s so the process exits before the kubelet's SIGKILL. */}}
{{- define "switchboard.shutdownGraceSeconds" -}}
{{- $v := index .root.Values .name -}}
{{- $grace := sub (sub (int $v.terminationGracePeriodSeconds) (int $v.preStopSleepSeconds)) 5 -}}
{{- if lt $grace 1 -}}
{{- fail (printf "%s.terminationGracePeriodSeconds must exceed preStopSleepSeconds by more than 5" .name) -}}
{{- end -}}
{{- $grace -}}
{{- end -}}

{{/* Environment every service gets. The shared ConfigMap (mode, Kafka, log level, OTLP) comes in
through envFrom; these are per pod or per service. */}}
{{- define "switchboard.commonEnv" -}}
{{- $v := index .root.Values .name -}}
{{- $prefix := upper .name -}}
- name: SWITCHBOARD_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: SWITCHBOARD_BIND_HOST
  value: "0.0.0.0"
- name: SWITCHBOARD_SHUTDOWN_GRACE
  value: {{ printf "%ss" (include "switchboard.shutdownGraceSeconds" .) | quote }}
- name: KAFKA_CLIENT_ID
  value: {{ printf "switchboard-%s" .name | quote }}
- name: {{ $prefix }}_GRPC_PORT
  value: {{ $v.ports.grpc | quote }}
- name: {{ $prefix }}_HTTP_PORT
  value: {{ $v.ports.ops | quote }}
{{- end -}}

{{/* DATABASE_URL from the existing Secret (gateway, guild and push). */}}
{{- define "switchboard.databaseEnv" -}}
{{- $db := .root.Values.database -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "database.existingSecret is required for %s" .name) $db.existingSecret | quote }}
      key: {{ index $db.keys .name | quote }}
{{- end -}}

{{- define "switchboard.podSecurityContext" -}}
{{ toYaml .root.Values.podSecurityContext }}
{{- end -}}

{{- define "switchboard.containerSecurityContext" -}}
{{ toYaml .root.Values.securityContext }}
{{- end -}}
