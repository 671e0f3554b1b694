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
{{- default (printf "http://%s.%s.svc:%v" (include "mipo.fullname" .) .Release.Namespace .Values.service.port) .Values.daemonSet.serverUrl }}
{{- end }}

{{/* The REST facade's namespace: set, else the first watched namespace, else empty (the operator's default). */}}
{{- define "mipo.apiNamespace" -}}
{{- $ns := .Values.api.namespace }}
{{- if and $ns .Values.watchNamespaces (not (has $ns .Values.watchNamespaces)) }}
{{- fail (printf "api.namespace %s must be one of watchNamespaces %v: the operator has no access elsewhere" $ns .Values.watchNamespaces) }}
{{- end }}
{{- if $ns }}{{ $ns }}{{ else if .Values.watchNamespaces }}{{ first .Values.watchNamespaces }}{{ end }}
{{- end }}

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
# Events about Scanners and ScannerBindings (registrations, revocations, binding mismatches)
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
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
  verbs: ["create", "patch"]
{{- end }}
