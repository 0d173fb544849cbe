{{/*
Checks a schema cannot express: combinations and cross-field limits. Each failure says what to set.
*/}}
{{- define "switchboard.validate" -}}
{{- $v := .Values -}}
{{- $s := $v.secrets -}}

{{- if eq $v.gateway.mode "secure" -}}
  {{- if and $s.tokensSecret $v.gateway.tokens.jwksUri -}}
    {{- fail "secrets.tokensSecret and gateway.tokens.jwksUri are both set: join tokens are verified with one of them (HS256 secret or your identity provider's JWKS), choose one" -}}
  {{- end -}}
  {{- if not $s.existingSecret -}}
    {{- if not (or $s.tokensSecret $v.gateway.tokens.jwksUri) -}}
      {{- fail "gateway.mode is secure but join tokens cannot be verified: set secrets.tokensSecret (HS256, at least 32 bytes, e.g. `openssl rand -base64 48`) or gateway.tokens.jwksUri, or name a Secret in secrets.existingSecret (keys tokens-secret, identity-secret, api-keys)" -}}
    {{- end -}}
    {{- if not $s.identitySecret -}}
      {{- fail "gateway.mode is secure but secrets.identitySecret is empty: set it (at least 32 bytes, e.g. `openssl rand -base64 48`; the gateway signs identities with it and the signaling pods believe nothing else) or name a Secret in secrets.existingSecret" -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- if and (not $s.existingSecret) (not $s.serviceToken) -}}
  {{- fail "secrets.serviceToken is empty: set it (at least 32 characters, e.g. `openssl rand -hex 32`): placement and state refuse every request that does not present it, so signaling could open no room; or name a Secret in secrets.existingSecret with the key service-token" -}}
{{- end -}}
{{- with $s.serviceToken -}}
  {{- if lt (len .) 32 -}}
    {{- fail (printf "secrets.serviceToken is %d characters: it must be at least 32 (e.g. `openssl rand -hex 32`)" (len .)) -}}
  {{- end -}}
  {{- if not (regexMatch "^[!-~]+$" .) -}}
    {{- fail "secrets.serviceToken must be printable ASCII without spaces (e.g. `openssl rand -hex 32`): it travels in an Authorization header" -}}
  {{- end -}}
{{- end -}}
{{- range $key := list "tokensSecret" "identitySecret" -}}
  {{- $value := index $s $key -}}
  {{- if and $value (lt (len $value) 32) -}}
    {{- fail (printf "secrets.%s is %d bytes: it must be at least 32 (e.g. `openssl rand -base64 48`)" $key (len $value)) -}}
  {{- end -}}
{{- end -}}

{{- if and $v.redis.inCluster.enabled $v.redis.url -}}
  {{- fail "redis.url and redis.inCluster.enabled are both set: use your Redis (ElastiCache) or the in-cluster trial one, not both" -}}
{{- end -}}
{{- if not (or $v.redis.inCluster.enabled $v.redis.url) -}}
  {{- fail "no Redis: set redis.url (e.g. rediss://master.xxx.cache.amazonaws.com:6379 with redis.passwordSecret) or, for a trial, redis.inCluster.enabled=true" -}}
{{- end -}}

{{- $k := $v.kafka -}}
{{- if and $k.inCluster.enabled $k.bootstrapServers -}}
  {{- fail "kafka.bootstrapServers and kafka.inCluster.enabled are both set: use your brokers (MSK) or the in-cluster trial broker, not both" -}}
{{- end -}}
{{- if not (or $k.inCluster.enabled $k.bootstrapServers) -}}
  {{- fail "no Kafka: set kafka.bootstrapServers (e.g. MSK's SASL/SCRAM brokers with kafka.tls.enabled and kafka.sasl.*) or, for a trial, kafka.inCluster.enabled=true" -}}
{{- end -}}
{{- if and $k.sasl.mechanism (not (and $k.sasl.username $k.sasl.passwordSecret.name)) -}}
  {{- fail (printf "kafka.sasl.mechanism is %s: set kafka.sasl.username and kafka.sasl.passwordSecret.name (a Secret holding the password under kafka.sasl.passwordSecret.key)" $k.sasl.mechanism) -}}
{{- end -}}

{{- if not (or $v.kms.enabled $v.placement.staticNodes) -}}
  {{- fail "no media servers: enable kms (a DaemonSet on the media nodes) or list placement.staticNodes" -}}
{{- end -}}
{{- if ge (int $v.kms.minPort) (int $v.kms.maxPort) -}}
  {{- fail (printf "kms.minPort (%d) must be below kms.maxPort (%d)" (int $v.kms.minPort) (int $v.kms.maxPort)) -}}
{{- end -}}
{{- if and $v.kms.enabled $v.kms.terminationGracePeriodSeconds -}}
  {{- if le (int $v.kms.terminationGracePeriodSeconds) (add (int $v.kms.drain.deadlineSeconds) 60) -}}
    {{- fail (printf "kms.terminationGracePeriodSeconds (%d) must exceed kms.drain.deadlineSeconds + 60 (%d): the preStop drain would be cut short" (int $v.kms.terminationGracePeriodSeconds) (add (int $v.kms.drain.deadlineSeconds) 60)) -}}
  {{- end -}}
{{- end -}}

{{- $drain := add (include "switchboard.seconds" $v.signaling.shutdownDrain | int) (include "switchboard.seconds" $v.signaling.shutdownPhaseTimeout | int) -}}
{{- if le (int $v.signaling.terminationGracePeriodSeconds) $drain -}}
  {{- fail (printf "signaling.terminationGracePeriodSeconds (%d) must exceed shutdownDrain + shutdownPhaseTimeout (%ds), or Kubernetes kills pods before they hand their sockets over" (int $v.signaling.terminationGracePeriodSeconds) $drain) -}}
{{- end -}}
{{- if le (int $v.gateway.terminationGracePeriodSeconds) (int $v.gateway.preStopSleepSeconds) -}}
  {{- fail "gateway.terminationGracePeriodSeconds must exceed gateway.preStopSleepSeconds" -}}
{{- end -}}

{{- if and $v.ingress.enabled $v.gateway.service.nlb.enabled -}}
  {{- fail "ingress.enabled and gateway.service.nlb.enabled are both set: expose the gateway through an ALB or an NLB, not both" -}}
{{- end -}}
{{- $ping := include "switchboard.seconds" $v.gateway.keepAlive.pingInterval | int -}}
{{- if and $v.ingress.enabled (le (int $v.ingress.idleTimeoutSeconds) $ping) -}}
  {{- fail (printf "ingress.idleTimeoutSeconds (%d) must exceed gateway.keepAlive.pingInterval (%ds): the ALB would cut idle sockets between pings" (int $v.ingress.idleTimeoutSeconds) $ping) -}}
{{- end -}}

{{- if and $v.networkPolicy.enabled $v.kms.enabled (not $v.networkPolicy.mediaNodeCIDRs) -}}
  {{- fail "networkPolicy.mediaNodeCIDRs is empty: list the media node group's subnet CIDRs (KMS runs on the host network, so its preStop drain reaches placement from the node's address), or set networkPolicy.enabled=false" -}}
{{- end -}}

{{- range $component := list "gateway" "signaling" -}}
  {{- $a := (index $v $component).autoscaling -}}
  {{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
    {{- fail (printf "%s.autoscaling.minReplicas (%d) is above maxReplicas (%d)" $component (int $a.minReplicas) (int $a.maxReplicas)) -}}
  {{- end -}}
{{- end -}}
{{- end -}}
