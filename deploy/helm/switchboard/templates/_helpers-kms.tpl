{{/* The label selector placement watches KMS pods with (the DaemonSet's selector labels). */}}
{{- define "switchboard.kmsLabelSelector" -}}
{{- $labels := include "switchboard.selectorLabels" (list . "kms") | fromYaml -}}
{{- $pairs := list -}}
{{- range $key := keys $labels | sortAlpha -}}
{{- $pairs = append $pairs (printf "%s=%s" $key (index $labels $key)) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* Seconds KMS pods get to stop: the drain deadline plus time to move what is left, unless set. */}}
{{- define "switchboard.kmsGracePeriod" -}}
{{- if .Values.kms.terminationGracePeriodSeconds -}}
{{- .Values.kms.terminationGracePeriodSeconds | int -}}
{{- else -}}
{{- add (int .Values.kms.drain.deadlineSeconds) 120 -}}
{{- end -}}
{{- end -}}
