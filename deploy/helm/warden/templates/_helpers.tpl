{{/* Names and labels. */}}
{{- define "warden.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "warden.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: ext-proc
{{- end -}}

{{- define "warden.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: warden
{{- end -}}

{{- define "warden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "warden.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "warden.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "warden.adminScheme" -}}
{{- if and .Values.tls.enabled .Values.tls.admin -}}HTTPS{{- else -}}HTTP{{- end -}}
{{- end -}}

{{/*
warden.config is warden's configuration file (docs/configuration.md). Secrets are never in it:
the files it names are mounted from Secrets by the StatefulSet.
*/}}
{{- define "warden.config" -}}
{{- $c := dict -}}
{{- $_ := set $c "listen" (printf "0.0.0.0:%d" (int .Values.service.extProcPort)) -}}
{{- $_ := set $c "admin" (printf "0.0.0.0:%d" (int .Values.service.adminPort)) -}}
{{- $_ := set $c "data_dir" "/var/lib/warden" -}}
{{- $_ := set $c "shutdown_grace" (printf "%ds" (int .Values.shutdownGraceSeconds)) -}}
{{- $_ := set $c "log" (dict "format" "json" "level" "info") -}}
{{- if .Values.policy.configMapName -}}
{{- $_ := set $c "policy" "/etc/warden/policy" -}}
{{- end -}}
{{- if .Values.tls.enabled -}}
{{- if and (not .Values.tls.allowedSpiffeIDs) (not .Values.tls.allowedSubjects) -}}
{{- fail "tls.allowedSpiffeIDs or tls.allowedSubjects must name the gateways allowed to call warden" -}}
{{- end -}}
{{- $tls := dict "cert_file" "/etc/warden/tls/tls.crt" "key_file" "/etc/warden/tls/tls.key" "client_ca_file" "/etc/warden/tls/ca.crt" "allowed_spiffe_ids" .Values.tls.allowedSpiffeIDs "allowed_subjects" .Values.tls.allowedSubjects -}}
{{- $_ := set $c "tls" $tls -}}
{{- if .Values.tls.admin -}}
{{- $_ := set $c "admin_tls" (dict "cert_file" "/etc/warden/tls/tls.crt" "key_file" "/etc/warden/tls/tls.key") -}}
{{- end -}}
{{- end -}}
{{- if or (not .Values.tls.enabled) (not .Values.tls.admin) -}}
{{- $_ := set $c "insecure_plaintext" true -}}
{{- end -}}
{{- $audit := dict "dir" "/var/lib/warden/audit" -}}
{{- if .Values.signingKey.secretName -}}
{{- $_ := set $audit "checkpoint" (dict "key_file" (printf "/etc/warden/signing/%s" .Values.signingKey.key) "create_key" false) -}}
{{- end -}}
{{- if .Values.kafka.enabled -}}
{{- if not .Values.kafka.brokers -}}
{{- fail "kafka.brokers must list at least one broker when kafka.enabled is true" -}}
{{- end -}}
{{- $k := dict "brokers" .Values.kafka.brokers "topic" .Values.kafka.topic "compression" .Values.kafka.compression -}}
{{- if .Values.kafka.tls.secretName -}}
{{- $kt := dict "ca_file" "/etc/warden/kafka-tls/ca.crt" "cert_file" "/etc/warden/kafka-tls/tls.crt" "key_file" "/etc/warden/kafka-tls/tls.key" -}}
{{- if .Values.kafka.tls.serverName -}}{{- $_ := set $kt "server_name" .Values.kafka.tls.serverName -}}{{- end -}}
{{- $_ := set $k "tls" $kt -}}
{{- end -}}
{{- $_ := set $audit "kafka" $k -}}
{{- end -}}
{{- $_ := set $c "audit" $audit -}}
{{- if .Values.vault.enabled -}}
{{- $a := dict "method" .Values.vault.auth.method -}}
{{- if eq .Values.vault.auth.method "kubernetes" -}}
{{- $_ := set $a "role" .Values.vault.auth.role -}}
{{- else if eq .Values.vault.auth.method "approle" -}}
{{- $_ := required "vault.auth.secretName (key secret_id) is required for approle" .Values.vault.auth.secretName -}}
{{- $_ := set $a "role_id" (required "vault.auth.roleID is required for approle" .Values.vault.auth.roleID) -}}
{{- $_ := set $a "secret_id_file" "/etc/warden/vault-auth/secret_id" -}}
{{- else if eq .Values.vault.auth.method "token" -}}
{{- $_ := required "vault.auth.secretName (key token) is required for token auth" .Values.vault.auth.secretName -}}
{{- $_ := set $a "token_file" "/etc/warden/vault-auth/token" -}}
{{- else -}}
{{- fail (printf "vault.auth.method %q is not kubernetes, approle or token" .Values.vault.auth.method) -}}
{{- end -}}
{{- $v := dict "address" .Values.vault.address "auth" $a "roles" .Values.vault.roles "routes" .Values.vault.routes -}}
{{- if .Values.vault.caSecretName -}}
{{- $_ := set $v "tls" (dict "ca_file" "/etc/warden/vault-ca/ca.crt") -}}
{{- end -}}
{{- $_ := set $c "vault" $v -}}
{{- end -}}
{{- toYaml (mergeOverwrite $c (deepCopy .Values.config)) -}}
{{- end -}}
