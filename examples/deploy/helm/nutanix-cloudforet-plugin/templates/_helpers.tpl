{{/*
The plugin kind, validated: inventory | cost | monitoring.
*/}}
{{- define "nutanix-plugin.kind" -}}
{{- $kind := .Values.plugin.kind | toString -}}
{{- if not (has $kind (list "inventory" "cost" "monitoring")) -}}
{{- fail (printf "plugin.kind must be inventory, cost or monitoring (got %q)" $kind) -}}
{{- end -}}
{{- $kind -}}
{{- end -}}

{{/*
Binary / image base name: nutanix-<kind>-plugin.
*/}}
{{- define "nutanix-plugin.binary" -}}
{{- printf "nutanix-%s-plugin" (include "nutanix-plugin.kind" .) -}}
{{- end -}}

{{/*
Chart name.
*/}}
{{- define "nutanix-plugin.name" -}}
{{- default (include "nutanix-plugin.binary" .) .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name: the Service is named per plugin (e.g. nutanix-inventory-plugin), prefixed by the release
name unless the release name already contains it.
*/}}
{{- define "nutanix-plugin.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "nutanix-plugin.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Image reference.
*/}}
{{- define "nutanix-plugin.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if not $repo -}}
{{- $repo = printf "%s%s" .Values.image.repositoryPrefix (include "nutanix-plugin.binary" .) -}}
{{- end -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}

{{/*
Common labels.
*/}}
{{- define "nutanix-plugin.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "nutanix-plugin.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: {{ include "nutanix-plugin.kind" . }}
app.kubernetes.io/part-of: cloudforet
{{- end -}}

{{/*
Selector labels.
*/}}
{{- define "nutanix-plugin.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nutanix-plugin.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
