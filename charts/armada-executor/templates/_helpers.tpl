{{- define "armada-executor.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "armada-executor.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "armada-executor.labels" -}}
{{ include "armada-executor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "armada-executor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "armada-executor.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The executor's config file: the values' config with what the chart decides. */}}
{{- define "armada-executor.config" -}}
{{- if not (has .Values.mode (list "cluster" "node")) -}}
{{- fail (printf "mode: %q is neither cluster nor node" .Values.mode) -}}
{{- end -}}
{{- $config := deepCopy .Values.config -}}
{{- $_ := set $config "serverUrl" .Values.serverUrl -}}
{{- $_ := set $config "backend" "kubernetes" -}}
{{- $_ := set $config "mode" .Values.mode -}}
{{- with .Values.credentials -}}
{{- if .secretName -}}
{{- if .username -}}
{{- $_ := set $config "auth" (dict "username" .username "passwordFile" (printf "/etc/armada/credentials/%s" .passwordKey)) -}}
{{- else -}}
{{- $_ := set $config "auth" (dict "tokenFile" (printf "/etc/armada/credentials/%s" .tokenKey)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if .Values.tls.secretName -}}
{{- $tls := dict "caFile" "/etc/armada/tls/ca.crt" -}}
{{- if .Values.tls.serverName -}}{{- $_ := set $tls "serverName" .Values.tls.serverName -}}{{- end -}}
{{- $_ := set $config "tls" $tls -}}
{{- end -}}
{{- if .Values.binoculars.enabled -}}
{{- $binoculars := dict "listen" (printf "0.0.0.0:%v" .Values.binoculars.port) -}}
{{- if .Values.binoculars.tokenSecretName -}}
{{- $_ := set $binoculars "tokenFile" "/etc/armada/binoculars/token" -}}
{{- end -}}
{{- $_ := set $config "binoculars" $binoculars -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
