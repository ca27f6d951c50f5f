{{/* The release's name for every object, at most 63 characters. */}}
{{- define "switchyard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the pods: stable across upgrades. */}}
{{- define "switchyard.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "switchyard.labels" -}}
{{ include "switchyard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The Secret and key holding the Redis URL. */}}
{{- define "switchyard.redisSecret" -}}
{{- .Values.redis.existingSecret | default (printf "%s-redis" (include "switchyard.fullname" .)) -}}
{{- end -}}

{{/*
Seconds of a Go duration such as 5s, 1m or 1m30s (whole seconds; the
chart's durations are set in seconds or minutes).
*/}}
{{- define "switchyard.seconds" -}}
{{- $d := . | toString -}}
{{- $total := 0 -}}
{{- $m := regexFind "^[0-9]+m" $d -}}
{{- if $m -}}{{- $total = add $total (mul (trimSuffix "m" $m | atoi) 60) -}}{{- $d = trimPrefix $m $d -}}{{- end -}}
{{- $s := regexFind "^[0-9]+s$" $d -}}
{{- if $s -}}{{- $total = add $total (trimSuffix "s" $s | atoi) -}}{{- else if $d -}}{{- fail (printf "drain durations are whole seconds or minutes such as 5s or 1m30s, got %q" (. | toString)) -}}{{- end -}}
{{- $total -}}
{{- end -}}
