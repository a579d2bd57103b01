{{/* The release's name for every object, at most 63 characters. */}}
{{- define "armada-server.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "armada-server.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "armada-server.labels" -}}
{{ include "armada-server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "armada-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "armada-server.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The server's config file: the values' config with the chart's listen addresses. */}}
{{- define "armada-server.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $_ := set $config "grpcAddress" (printf "0.0.0.0:%v" .Values.ports.grpc) -}}
{{- $_ := set $config "httpAddress" (printf "0.0.0.0:%v" .Values.ports.http) -}}
{{- toYaml $config -}}
{{- end -}}
