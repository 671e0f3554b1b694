{{/* Chart name, truncated to the 63 characters a label value may have. */}}
{{- define "mipo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: <release> when it already contains the chart name, else <release>-<chart>. */}}
{{- define "mipo.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mipo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mipo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mipo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mipo.labels" -}}
helm.sh/chart: {{ include "mipo.chart" . }}
{{ include "mipo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: mipo
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mipo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mipo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mipo.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* URL in-cluster (DaemonSet) scanners reach the operator at: this release's Service unless set. */}}
{{- define "mipo.daemonSetServerUrl" -}}
{{- default (printf "%s://%s.%s.svc:%v" (ternary "https" "http" (include "mipo.tlsEnabled" . | eq "true")) (include "mipo.fullname" .) .Release.Namespace .Values.service.port) .Values.daemonSet.serverUrl }}
{{- end }}

{{/* "true" when the operator serves HTTPS itself (tls.secretName or a cert-manager Certificate). */}}
{{- define "mipo.tlsEnabled" -}}
{{- if or .Values.tls.secretName .Values.tls.certManager.enabled }}true{{ else }}false{{ end }}
{{- end }}

{{/* The Secret holding tls.crt and tls.key. */}}
{{- define "mipo.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "mipo.fullname" .)) .Values.tls.secretName }}
{{- end }}

{{/* The namespaces the operator manages: watchNamespaces, else the release's own; empty with watchAllNamespaces. */}}
{{- define "mipo.watchedNamespaces" -}}
{{- if .Values.watchAllNamespaces }}
{{- if .Values.watchNamespaces }}
{{- fail "set either watchAllNamespaces or watchNamespaces, not both" }}
{{- end }}
{{- else if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else }}
{{- .Release.Namespace }}
{{- end }}
{{- end }}

{{/* Image of in-cluster scanners: scannerImage, else the scanner image of the chart's own version. */}}
{{- define "mipo.scannerImage" -}}
{{- default (printf "ghcr.io/mipo/mipo-scanner:%s" .Chart.AppVersion) .Values.scannerImage }}
{{- end }}

{{/* The REST facade's namespace: set, else the first watched namespace, else empty (the operator's default). */}}
{{- define "mipo.apiNamespace" -}}
{{- $ns := .Values.api.namespace }}
{{- $watched := list }}
{{- if not .Values.watchAllNamespaces }}{{ $watched = splitList "," (include "mipo.watchedNamespaces" .) }}{{ end }}
{{- if and $ns $watched (not (has $ns $watched)) }}
{{- fail (printf "api.namespace %s must be one of watchNamespaces %v: the operator has no access elsewhere" $ns $watched) }}
{{- end }}
{{- if $ns }}{{ $ns }}{{ else if $watched }}{{ first $watched }}{{ end }}
{{- end }}

{{/* The findings file sink (findings.sink: file): its directory, on the findings volume, and the file. */}}
{{- define "mipo.findingsDir" -}}/var/lib/mipo/findings{{- end }}
{{- define "mipo.findingsFile" -}}{{ include "mipo.findingsDir" . }}/findings.jsonl{{- end }}

{{/* Where the ASN database is mounted in the container. */}}
{{- define "mipo.asnMountDir" -}}/etc/mipo/asn{{- end }}

{{/* Path of the ASN database inside the container, or empty when none is configured. */}}
{{- define "mipo.asnDatabasePath" -}}
{{- $db := .Values.asn.database }}
{{- if $db.configMap.name }}
{{- printf "%s/%s" (include "mipo.asnMountDir" .) (required "asn.database.configMap.key names the file in the ConfigMap" $db.configMap.key) }}
{{- else if $db.volume }}
{{- printf "%s/%s" (include "mipo.asnMountDir" .) (required "asn.database.fileName names the file in asn.database.volume" $db.fileName) }}
{{- else if $db.path }}
{{- $db.path }}
{{- end }}
{{- end }}

{{/*
The rules the operator needs in every namespace it manages (a ClusterRole without watchNamespaces,
a Role in each watched namespace with them). Kept in one place so both forms grant the same.
RbacCoversCodeTest checks them against the Kubernetes calls found in the operator's bytecode.
*/}}
{{- define "mipo.operatorRules" -}}
# the three custom resources: informers (get/list/watch), finalizers and metadata (labels of
# group membership) written by the reconcilers and the REST facade, deletes from the facade
- apiGroups: ["mipo.io"]
  resources: ["scanners", "scannerbindings", "scannergroups"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# status is written by the reconcilers only (PUT with resourceVersion, or patch)
- apiGroups: ["mipo.io"]
  resources: ["scanners/status", "scannerbindings/status", "scannergroups/status"]
  verbs: ["get", "update", "patch"]
# Secrets and DaemonSets carry ownerReferences with blockOwnerDeletion to their Scanner
- apiGroups: ["mipo.io"]
  resources: ["scanners/finalizers", "scannerbindings/finalizers", "scannergroups/finalizers"]
  verbs: ["update"]
# <scanner>-provisioning and <scanner>-credentials; the operator watches them with a label selector
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Events about Scanners and ScannerBindings (registrations, revocations, binding mismatches);
# update: the summary Event of many scanners changing phase at once is rewritten as its batch grows
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch", "update"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.daemonSet.enabled }}
# in-cluster scanners: one DaemonSet and ServiceAccount per Scanner in DaemonSet mode
- apiGroups: ["apps"]
  resources: ["daemonsets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# the pods of those DaemonSets (node, address) for status.instances
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
{{- end }}
{{- end }}

{{/*
The rules the operator needs in its own namespace only: the leader-election Lease and the
per-replica heartbeat ledgers (docs/liveness.md).
*/}}
{{- define "mipo.ownNamespaceRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch", "update"]
{{- end }}
