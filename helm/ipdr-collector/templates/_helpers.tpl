{{/* Names. fullname is also the StatefulSet name, so pod names are <fullname>-<ordinal>. */}}
{{- define "ipdr-collector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ipdr-collector.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ipdr-collector.headless" -}}
{{- printf "%s-hazelcast" (include "ipdr-collector.fullname" .) }}
{{- end }}

{{- define "ipdr-collector.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ipdr-collector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
ipdr.io/site: {{ .Values.site | quote }}
{{- end }}

{{- define "ipdr-collector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ipdr-collector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ipdr-collector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ipdr-collector.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ipdr-collector.clusterName" -}}
{{- default (printf "ipdr-%s" .Values.site) .Values.cluster.clusterName }}
{{- end }}

{{- define "ipdr-collector.serviceDns" -}}
{{- default (printf "%s.%s.svc.%s" (include "ipdr-collector.headless" .) .Release.Namespace .Values.clusterDomain) .Values.cluster.kubernetes.serviceDns }}
{{- end }}

{{/* Stable DNS name host:port of every pod, for Hazelcast TCP-IP join (works before the pods are ready
     because the headless Service publishes not-ready addresses). */}}
{{- define "ipdr-collector.members" -}}
{{- $full := include "ipdr-collector.fullname" . }}
{{- $svc := include "ipdr-collector.headless" . }}
{{- range $i, $_ := until (int .Values.replicaCount) }}
- {{ printf "%s-%d.%s.%s.svc.%s:%d" $full $i $svc $.Release.Namespace $.Values.clusterDomain (int $.Values.cluster.hazelcastPort) | quote }}
{{- end }}
{{- end }}

{{/* CQL that creates the keyspace with the intended replication. The node creates its keyspace with
     IF NOT EXISTS, so running this first fixes the replication even on node versions without storage.replication. */}}
{{- define "ipdr-collector.keyspaceCql" -}}
{{- $s := .Values.storage }}
{{- if $s.replication }}
{{- $parts := list "'class': 'NetworkTopologyStrategy'" }}
{{- range $dc, $rf := $s.replication }}
{{- $parts = append $parts (printf "'%s': %d" $dc (int $rf)) }}
{{- end }}
CREATE KEYSPACE IF NOT EXISTS {{ $s.keyspace }} WITH replication = { {{- join ", " $parts -}} };
{{- else }}
CREATE KEYSPACE IF NOT EXISTS {{ $s.keyspace }} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': {{ int $s.replicationFactor }}};
{{- end }}
{{- end }}

{{/* node.yml: mirrors io.ipdrsp.node.NodeConfiguration. node.id and cluster.hazelcastAddress are per pod and
     come from -Ddw.* system properties (see the StatefulSet); the values below are their placeholders. */}}
{{/* The Secret with the cluster secret, the ZooKeeper digest and the HTTP passwords. */}}
{{- define "ipdr-collector.secretName" -}}
{{- .Values.security.existingSecret | default (printf "%s-secrets" (include "ipdr-collector.fullname" .)) }}
{{- end }}

{{/* One Dropwizard connector: HTTP, or HTTPS with the key store of the https Secret (its password from the
     environment: ${IPDR_KEYSTORE_PASSWORD} is substituted by the node). */}}
{{- define "ipdr-collector.connector" -}}
type: {{ if .https }}https{{ else }}http{{ end }}
bindHost: 0.0.0.0
port: {{ int .port }}
{{- if .https }}
keyStorePath: /etc/ipdr-collector/tls/https/keystore.p12
keyStorePassword: "${IPDR_KEYSTORE_PASSWORD}"
keyStoreType: PKCS12
{{- end }}
{{- end }}

{{- define "ipdr-collector.ipdrTlsSecret" -}}
{{- .Values.listen.tls.secretName | default (printf "%s-ipdr-tls" (include "ipdr-collector.fullname" .)) }}
{{- end }}

{{- define "ipdr-collector.httpsSecret" -}}
{{- .Values.https.secretName | default (printf "%s-https" (include "ipdr-collector.fullname" .)) }}
{{- end }}

{{- define "ipdr-collector.nodeConfig" -}}
{{- $v := .Values }}
node:
  id: {{ include "ipdr-collector.fullname" . | quote }}
  site: {{ $v.site | quote }}
  vendorId: {{ $v.node.vendorId | quote }}
  maxMessageLength: {{ int $v.node.maxMessageLength }}
listen:
  enabled: {{ $v.listen.enabled }}
  address: 0.0.0.0
  port: {{ int $v.listen.port }}
  {{- if $v.listen.tls.enabled }}
  tls:
    enabled: true
    certificate: /etc/ipdr-collector/tls/ipdr/tls.crt
    privateKey: /etc/ipdr-collector/tls/ipdr/tls.key
    clientAuth: {{ $v.listen.tls.clientAuth }}
    {{- if ne $v.listen.tls.clientAuth "NONE" }}
    trustedCertificates: /etc/ipdr-collector/tls/ipdr/ca.crt
    {{- end }}
  {{- end }}
  allow: {{- if $v.listen.allow }}
    {{- toYaml $v.listen.allow | nindent 4 }}
  {{- else }} []
  {{- end }}
exporters: {{- if $v.exporters }}
  {{- toYaml $v.exporters | nindent 2 }}
{{- else }} []
{{- end }}
storage:
  contactPoints:
    {{- toYaml $v.storage.contactPoints | nindent 4 }}
  localDatacenter: {{ $v.storage.localDatacenter | quote }}
  keyspace: {{ $v.storage.keyspace | quote }}
  replicationFactor: {{ int $v.storage.replicationFactor }}
  {{- if and $v.nodeFeatures.replicationMap $v.storage.replication }}
  replication:
    {{- toYaml $v.storage.replication | nindent 4 }}
  {{- end }}
  consistency: {{ $v.storage.consistency }}
  maxInFlightPerConnection: {{ int $v.storage.maxInFlightPerConnection }}
  maxInFlight: {{ int $v.storage.maxInFlight }}
  stopFlowAfterSeconds: {{ int $v.storage.stopFlowAfterSeconds }}
  embeddedDataDir: var/cassandra
  {{- if $v.storage.username }}
  username: {{ $v.storage.username | quote }}
  password: {file: /etc/ipdr-collector/secrets/cassandra-password}
  {{- end }}
cluster:
  clusterName: {{ include "ipdr-collector.clusterName" . | quote }}
  hazelcastAddress: 127.0.0.1
  hazelcastPort: {{ int $v.cluster.hazelcastPort }}
  {{- if eq $v.cluster.discovery "members" }}
  members:
    {{- include "ipdr-collector.members" . | trim | nindent 4 }}
  {{- else }}
  members: []
  {{- if $v.nodeFeatures.kubernetesDiscovery }}
  kubernetes:
    enabled: true
    serviceDns: {{ include "ipdr-collector.serviceDns" . | quote }}
  {{- end }}
  {{- end }}
  zooKeeper: {{ $v.cluster.zooKeeper | quote }}
  zkNamespace: {{ $v.cluster.zkNamespace | quote }}
  embeddedZooKeeperDir: var/zookeeper
  secret: {file: /etc/ipdr-collector/secrets/cluster-secret}
  zooKeeperDigest: {file: /etc/ipdr-collector/secrets/zookeeper-digest}
security:
  users:
    - {name: admin, roles: [viewer, auditor, operator], password: {file: /etc/ipdr-collector/secrets/admin-password}}
    - {name: metrics, roles: [viewer], password: {file: /etc/ipdr-collector/secrets/metrics-password}}
    {{- range $v.security.users }}
    - {name: {{ .name | quote }}, roles: {{ toJson .roles }}, passwordHash: {{ .passwordHash | quote }}}
    {{- end }}
# every interface of the pod's own network namespace; the NetworkPolicy decides who reaches which port
server:
  applicationConnectors:
    - {{- include "ipdr-collector.connector" (dict "port" $v.server.apiPort "https" $v.https.enabled) | nindent 6 }}
  adminConnectors:
    - {{- include "ipdr-collector.connector" (dict "port" $v.server.adminPort "https" $v.https.enabled) | nindent 6 }}
logging:
  level: {{ $v.logging.level }}
  appenders:
    - type: console
{{- end }}

{{/* Cross-key checks the JSON schema cannot express; same rules and wording as the node's NodeConfigChecks, so
     the mistake is caught at helm install instead of in a crash-looping pod. */}}
{{- define "ipdr-collector.validate" -}}
{{- $v := .Values }}
{{- $seen := dict }}
{{- range $i, $e := $v.exporters }}
{{- if hasKey $seen $e.name }}
{{- fail (printf "exporters[%d].name '%s' is already used by exporters[%v]: give every CMTS a unique name" $i $e.name (get $seen $e.name)) }}
{{- end }}
{{- $_ := set $seen $e.name $i }}
{{- if gt (int64 ($e.reconnectMinMillis | default 500)) (int64 ($e.reconnectMaxMillis | default 30000)) }}
{{- fail (printf "exporters[%d].reconnectMaxMillis must be >= reconnectMinMillis (%v)" $i $e.reconnectMinMillis) }}
{{- end }}
{{- if and $e.templates (or $e.templates.enable $e.templates.disable) (not (has "TEMPLATE_NEGOTIATION" ($e.capabilities | default list))) }}
{{- fail (printf "exporters[%d].capabilities must include TEMPLATE_NEGOTIATION because exporters[%d].templates asks to enable/disable fields" $i $i) }}
{{- end }}
{{- end }}
{{- if gt (int $v.storage.maxInFlightPerConnection) (int $v.storage.maxInFlight) }}
{{- fail (printf "storage.maxInFlightPerConnection must not exceed storage.maxInFlight (%v)" $v.storage.maxInFlight) }}
{{- end }}
{{- if and $v.storage.replication (not (hasKey $v.storage.replication $v.storage.localDatacenter)) }}
{{- fail (printf "storage.replication has no entry for storage.localDatacenter '%s': LOCAL_QUORUM needs replicas in this site" $v.storage.localDatacenter) }}
{{- end }}
{{- end }}
