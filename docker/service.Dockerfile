# One image per Switchboard service (gateway, signaling, placement, state), built from the
# service's executable jar. From the repository root, after ./mvnw -B -DskipTests package:
#
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=gateway --build-arg PORT=8080 \
#     -t switchboard-gateway:0.1.0 .
#
# PORT is the service's own (8080 gateway, 8081 signaling, 8090 placement, 8092 state).
# BASE_IMAGE is any JRE 17 image with a shell (for the build stage only); the default is the public
# Eclipse Temurin image. Tests pass a base made from Debian packages (docker/local-base.sh).
ARG BASE_IMAGE=eclipse-temurin:17-jre

FROM ${BASE_IMAGE} AS layers
ARG SERVICE
ARG PORT
RUN test -n "${SERVICE}" && test -n "${PORT}" \
 || { echo "build with --build-arg SERVICE=<gateway|signaling|placement|state> --build-arg PORT=<its port>" >&2; exit 1; }
WORKDIR /build
COPY services/${SERVICE}/target/${SERVICE}.jar service.jar
# Spring Boot's layers (dependencies change least, the application most), so an image rebuilt
# after a code change reuses the dependency layer.
RUN java -Djarmode=tools -jar service.jar extract --layers --destination extracted \
 && mv extracted/application/service.jar extracted/application/app.jar

FROM ${BASE_IMAGE}
ARG SERVICE
ARG PORT
# The actuator (health, metrics) listens apart from the public port, as the chart runs it (its
# managementPort); MANAGEMENT_SERVER_PORT at run time moves it.
ARG MANAGEMENT_PORT=9090
LABEL org.opencontainers.image.title="switchboard-${SERVICE}" \
      org.opencontainers.image.description="Switchboard ${SERVICE}: horizontally scaled WebRTC signaling for Kurento" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY tools/healthcheck/target/healthcheck.jar /opt/switchboard/healthcheck.jar
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# The heap follows the container's memory limit; an OutOfMemoryError ends the process (the
# orchestrator restarts it) instead of leaving a half-working JVM. Override or extend with
# JAVA_TOOL_OPTIONS.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    SERVER_PORT=${PORT} \
    MANAGEMENT_SERVER_PORT=${MANAGEMENT_PORT}
EXPOSE ${PORT}
# Any non-root uid works (the image writes nothing outside /tmp, which may be a read-only root
# file system's tmpfs); numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
# Readiness on the management port when MANAGEMENT_SERVER_PORT sets it apart, else on SERVER_PORT.
# No shell needed: the check is a small Java program.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss256k", "-jar", "/opt/switchboard/healthcheck.jar"]
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
