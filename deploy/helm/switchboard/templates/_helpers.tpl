{{/*
Names, labels and images shared by every template.
*/}}

{{- define "switchboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's prefix: <release>-switchboard, or the release name when it already says switchboard. */}}
{{- define "switchboard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<component>. Usage: include "switchboard.componentName" (list . "gateway") */}}
{{- define "switchboard.componentName" -}}
{{- $ctx := index . 0 -}}
{{- printf "%s-%s" (include "switchboard.fullname" $ctx | trunc 50 | trimSuffix "-") (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The signaling Service's name is fixed: the gateway discovers the pods under the Spring Cloud
service id "signaling" (GatewayProperties.SIGNALING), which is the Kubernetes Service's name in the
gateway's own namespace. Hence one release per namespace.
*/}}
{{- define "switchboard.signalingServiceName" -}}signaling{{- end -}}

{{- define "switchboard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels. Usage: include "switchboard.selectorLabels" (list . "gateway") */}}
{{- define "switchboard.selectorLabels" -}}
{{- $ctx := index . 0 -}}
app.kubernetes.io/name: {{ include "switchboard.name" $ctx }}
app.kubernetes.io/instance: {{ $ctx.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Every object's labels. Usage: include "switchboard.labels" (list . "gateway") */}}
{{- define "switchboard.labels" -}}
{{- $ctx := index . 0 -}}
helm.sh/chart: {{ include "switchboard.chart" $ctx }}
{{ include "switchboard.selectorLabels" . }}
app.kubernetes.io/version: {{ $ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $ctx.Release.Service }}
app.kubernetes.io/part-of: switchboard
{{- with $ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
An image reference: [registry/]repository:tag. The registry and tag fall back to the top-level
image.registry / image.tag, the tag then to the chart's appVersion; "latest" is refused, since a
moving tag makes rollouts and rollbacks lie.
Usage: include "switchboard.image" (list . .Values.gateway.image "gateway.image")
*/}}
{{- define "switchboard.image" -}}
{{- $ctx := index . 0 -}}
{{- $image := index . 1 -}}
{{- $path := index . 2 -}}
{{- $registry := default $ctx.Values.image.registry $image.registry -}}
{{- $tag := toString (default (default $ctx.Chart.AppVersion $ctx.Values.image.tag) $image.tag) -}}
{{- if eq (lower $tag) "latest" -}}
{{- fail (printf "%s.tag (or image.tag) is \"latest\": pin a version, e.g. %s, so that rollouts and rollbacks are reproducible" $path $ctx.Chart.AppVersion) -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) $image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* A third-party image: registry/repository:tag, never the chart's registry or appVersion. */}}
{{- define "switchboard.thirdPartyImage" -}}
{{- $image := index . 0 -}}
{{- $path := index . 1 -}}
{{- $tag := toString $image.tag -}}
{{- if or (not $tag) (eq (lower $tag) "latest") -}}
{{- fail (printf "%s.tag must name a version (not empty, not \"latest\")" $path) -}}
{{- end -}}
{{- if $image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $image.registry) $image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "switchboard.pullPolicy" -}}
{{- $ctx := index . 0 -}}
{{- default $ctx.Values.image.pullPolicy (index . 1).pullPolicy -}}
{{- end -}}

{{/* The ServiceAccount of a component. Usage: include "switchboard.serviceAccountName" (list . "gateway") */}}
{{- define "switchboard.serviceAccountName" -}}
{{- $ctx := index . 0 -}}
{{- $component := index . 1 -}}
{{- $sa := (index $ctx.Values $component).serviceAccount -}}
{{- if $sa.create -}}
{{- default (include "switchboard.componentName" .) $sa.name -}}
{{- else -}}
{{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}

{{/* Service URLs, inside the release's namespace. */}}
{{- define "switchboard.placementUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "switchboard.componentName" (list . "placement")) .Release.Namespace (int .Values.placement.port) -}}
{{- end -}}
{{- define "switchboard.stateUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "switchboard.componentName" (list . "state")) .Release.Namespace (int .Values.state.port) -}}
{{- end -}}
{{- define "switchboard.gatewayUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "switchboard.componentName" (list . "gateway")) .Release.Namespace (int .Values.gateway.service.port) -}}
{{- end -}}

{{/* The Secret holding tokens-secret, identity-secret, service-token and api-keys (chart-made or existing). */}}
{{- define "switchboard.secretName" -}}
{{- default (include "switchboard.componentName" (list . "secrets")) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Whether the chart's Secret has anything in it, or an existing one is named. */}}
{{- define "switchboard.hasSecret" -}}
{{- if or .Values.secrets.existingSecret .Values.secrets.tokensSecret .Values.secrets.identitySecret .Values.secrets.serviceToken .Values.secrets.apiKeys -}}true{{- end -}}
{{- end -}}

{{/* Whether signaling requires the gateway's verified identity: follows gateway.mode unless set. */}}
{{- define "switchboard.requireIdentity" -}}
{{- if kindIs "bool" .Values.signaling.requireIdentity -}}
{{- .Values.signaling.requireIdentity -}}
{{- else -}}
{{- eq .Values.gateway.mode "secure" -}}
{{- end -}}
{{- end -}}

{{/* Whether the gateway counts the right-most X-Forwarded-For entry: behind the ALB, yes. */}}
{{- define "switchboard.trustForwardedFor" -}}
{{- if kindIs "bool" .Values.gateway.limits.trustForwardedFor -}}
{{- .Values.gateway.limits.trustForwardedFor -}}
{{- else -}}
{{- .Values.ingress.enabled -}}
{{- end -}}
{{- end -}}

{{/* Seconds of a "<n>s" duration (the schema allows only that form where the chart reads one). */}}
{{- define "switchboard.seconds" -}}
{{- trimSuffix "s" (toString .) | int -}}
{{- end -}}

{{/* The Redis URL every service uses (in-cluster or external), password left to $(REDIS_PASSWORD). */}}
{{- define "switchboard.redisUrl" -}}
{{- if .Values.redis.inCluster.enabled -}}
{{- printf "redis://%s.%s.svc:6379" (include "switchboard.componentName" (list . "redis")) .Release.Namespace -}}
{{- else -}}
{{- $url := .Values.redis.url -}}
{{- if .Values.redis.passwordSecret.name -}}
{{- $parts := splitn "://" 2 $url -}}
{{- printf "%s://%s:$(REDIS_PASSWORD)@%s" $parts._0 .Values.redis.username $parts._1 -}}
{{- else -}}
{{- $url -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Redis env: the password first (Kubernetes expands $(REDIS_PASSWORD) only from earlier entries). */}}
{{- define "switchboard.redisEnv" -}}
{{- if and (not .Values.redis.inCluster.enabled) .Values.redis.passwordSecret.name }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.passwordSecret.name }}
      key: {{ .Values.redis.passwordSecret.key }}
{{- end }}
- name: SPRING_DATA_REDIS_URL
  value: {{ include "switchboard.redisUrl" . | quote }}
{{- end -}}

{{/* Kafka env: bootstrap servers, security protocol, SASL, extra client properties. */}}
{{- define "switchboard.kafkaEnv" -}}
{{- $k := .Values.kafka -}}
- name: SPRING_KAFKA_BOOTSTRAP_SERVERS
  value: {{ include "switchboard.kafkaBootstrap" . | quote }}
{{- if not $k.inCluster.enabled }}
{{- $sasl := $k.sasl.mechanism }}
{{- $protocol := ternary (ternary "SASL_SSL" "SSL" (not (empty $sasl))) (ternary "SASL_PLAINTEXT" "PLAINTEXT" (not (empty $sasl))) $k.tls.enabled }}
- name: SPRING_KAFKA_SECURITY_PROTOCOL
  value: {{ $protocol }}
{{- if $sasl }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.passwordSecret.name }}
      key: {{ $k.sasl.passwordSecret.key }}
- name: SPRING_KAFKA_PROPERTIES_SASL_MECHANISM
  value: {{ $sasl }}
- name: SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG
  {{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $sasl "PLAIN") }}
  value: {{ printf "%s required username=\"%s\" password=\"$(KAFKA_SASL_PASSWORD)\";" $module $k.sasl.username | quote }}
{{- end }}
{{- range $key, $value := $k.properties }}
- name: {{ printf "SPRING_KAFKA_PROPERTIES_%s" ($key | upper | replace "." "_" | replace "-" "") }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "switchboard.kafkaBootstrap" -}}
{{- if .Values.kafka.inCluster.enabled -}}
{{- printf "%s.%s.svc:9092" (include "switchboard.componentName" (list . "kafka")) .Release.Namespace -}}
{{- else -}}
{{- .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/*
What every Spring service's container gets: its ports, the management port apart, the heap options
and the user's extra variables last (so they can override anything above).
Usage: include "switchboard.javaEnv" (list . "gateway")
*/}}
{{- define "switchboard.javaEnv" -}}
{{- $ctx := index . 0 -}}
{{- $values := index $ctx.Values (index . 1) -}}
- name: SERVER_PORT
  value: {{ $values.port | quote }}
- name: MANAGEMENT_SERVER_PORT
  value: {{ $ctx.Values.managementPort | quote }}
{{- if $values.javaOpts }}
# Read by the java launcher on top of the image's JAVA_TOOL_OPTIONS (heap from the memory limit).
- name: JDK_JAVA_OPTIONS
  value: {{ $values.javaOpts | quote }}
{{- end }}
{{- end -}}

{{/* Topology spread: across zones and hosts unless the component says otherwise. */}}
{{- define "switchboard.topologySpread" -}}
{{- $ctx := index . 0 -}}
{{- $component := index . 1 -}}
{{- $values := index $ctx.Values $component -}}
{{- if $values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml $values.topologySpreadConstraints | nindent 2 }}
{{- else }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "switchboard.selectorLabels" . | nindent 8 }}
    matchLabelKeys:
      - pod-template-hash
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "switchboard.selectorLabels" . | nindent 8 }}
    matchLabelKeys:
      - pod-template-hash
{{- end }}
{{- end -}}

{{/* Scheduling fields every pod takes from its values block. */}}
{{- define "switchboard.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* The restricted pod security context of every non-root pod. */}}
{{- define "switchboard.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .runAsUser }}
  runAsGroup: {{ .runAsUser }}
  fsGroup: {{ .runAsUser }}
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "switchboard.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  capabilities:
    drop:
      - ALL
{{- end -}}

{{/* Probes of a Spring service, all on the management port. */}}
{{- define "switchboard.springProbes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: management
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/*
An env entry from the switchboard Secret (chart-made or existing). A key the chart made is always
there; in an existing Secret it is optional unless the mode needs it (then the pod refuses to start
with CreateContainerConfigError naming the key).
Usage: include "switchboard.secretEnv" (list . "SWITCHBOARD_GATEWAY_TOKENS_SECRET" "tokens-secret" "tokensSecret" required)
*/}}
{{- define "switchboard.secretEnv" -}}
{{- $ctx := index . 0 -}}
{{- $env := index . 1 -}}
{{- $key := index . 2 -}}
{{- $value := index $ctx.Values.secrets (index . 3) -}}
{{- $required := index . 4 -}}
{{- if or $ctx.Values.secrets.existingSecret $value }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "switchboard.secretName" $ctx }}
      key: {{ $key }}
      {{- if and $ctx.Values.secrets.existingSecret (not $required) }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* checksum/config: pods restart when the chart's Secret or their configuration changes. */}}
{{- define "switchboard.secretChecksum" -}}
{{- $secret := dict "existing" .Values.secrets.existingSecret "tokens" .Values.secrets.tokensSecret "identity" .Values.secrets.identitySecret "service" .Values.secrets.serviceToken "keys" .Values.secrets.apiKeys -}}
{{- toJson $secret | sha256sum -}}
{{- end -}}

{{/* NetworkPolicy peers: the monitoring namespace, and pods of components of this release. */}}
{{- define "switchboard.np.monitoring" -}}
- namespaceSelector:
    {{- toYaml .Values.networkPolicy.monitoringNamespaceSelector | nindent 4 }}
  podSelector:
    {{- toYaml (default (dict) .Values.networkPolicy.monitoringPodSelector) | nindent 4 }}
{{- end -}}
{{- define "switchboard.np.from" -}}
{{- $ctx := index . 0 -}}
{{- range $component := index . 1 }}
- podSelector:
    matchLabels:
      {{- include "switchboard.selectorLabels" (list $ctx $component) | nindent 6 }}
{{- end }}
{{- end -}}
