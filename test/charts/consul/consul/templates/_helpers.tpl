{{/* As upstream consul-k8s: consul.name, consul.fullname, consul.chart. */}}
{{- define "consul.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "consul.fullname" -}}
{{- if .Values.global.name -}}
{{- .Values.global.name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- define "consul.chart" -}}
{{- printf "%s-helm" .Chart.Name | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "consul.image" -}}
{{- default (printf "hashicorp/consul:%s" .Chart.AppVersion) .Values.global.image -}}
{{- end -}}
{{- define "consul.imageK8S" -}}
{{- default (printf "hashicorp/consul-k8s-control-plane:%s" .Chart.Version) .Values.global.imageK8S -}}
{{- end -}}
