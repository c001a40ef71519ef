{{/* The release's name for every object. */}}
{{- define "portal.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "portal.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "portal.labels" -}}
{{ include "portal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "portal.fullname" .) .Values.serviceAccount.name -}}
{{- else if .Values.serviceAccount.name -}}
{{- .Values.serviceAccount.name -}}
{{- else if .Values.rbac.create -}}
{{- fail "serviceAccount.name is required when serviceAccount.create is false and rbac.create is true: the portal's cluster rights must not go to the namespace's default account" -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/* The host of baseUrl, for the Ingress. */}}
{{- define "portal.host" -}}
{{- default (regexReplaceAll ":[0-9]+$" (urlParse .Values.baseUrl).host "") .Values.ingress.host -}}
{{- end -}}

{{/* The chart's part of the configuration, over the image's two files. */}}
{{- define "portal.appConfig" -}}
app:
  baseUrl: {{ .Values.baseUrl | quote }}
backend:
  baseUrl: {{ .Values.baseUrl | quote }}
  cors:
    origin: {{ .Values.baseUrl | quote }}
  database:
    client: pg
    connection:
      host: {{ .Values.postgres.host | quote }}
      port: {{ .Values.postgres.port }}
      user: ${POSTGRES_USER}
      password: ${POSTGRES_PASSWORD}
{{- if .Values.redis.enabled }}
  cache:
    store: redis
    connection: ${REDIS_URL}
{{- end }}
metrics:
  prometheus:
    host: 0.0.0.0
    port: {{ .Values.metrics.port }}
{{- if not .Values.oidc.enabled }}
# No OpenID Connect provider: app-config.production.yaml's is removed (add
# your own provider under appConfig.auth.providers).
auth:
  providers:
    oidc: null
{{- end }}
{{- if .Values.webhook.enabled }}
deployments:
  notifications:
    webhookUrl: ${DEPLOYMENTS_WEBHOOK_URL}
{{- end }}
{{- if or .Values.registerTemplates .Values.catalogLocations }}
catalog:
  locations:
    {{- if .Values.registerTemplates }}
    - type: file
      target: /app/templates/deploy-application/template.yaml
      rules:
        - allow: [Template]
    - type: file
      target: /app/templates/promote-application/template.yaml
      rules:
        - allow: [Template]
    {{- end }}
    {{- with .Values.catalogLocations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}
