# The KMS emulator (tools/kms-emulator): a KMS 7.3 that speaks Kurento's JSON-RPC without media,
# for trials and tests — never a media server. From the repository root, after a package build:
#
#   docker build -f docker/kms-emulator.Dockerfile -t switchboard-kms-emulator:0.1.0 .
#   docker run --network host switchboard-kms-emulator:0.1.0 --port 8888 --host 0.0.0.0
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="switchboard-kms-emulator" \
      org.opencontainers.image.description="A Kurento Media Server 7.3 JSON-RPC emulator (no media) for trials and tests" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY tools/kms-emulator/target/kms-emulator.jar kms-emulator.jar
COPY tools/healthcheck/target/healthcheck.jar /opt/switchboard/healthcheck.jar
# Change HEALTHCHECK_URL with the emulator's --port.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    HEALTHCHECK_URL=tcp://127.0.0.1:8888
EXPOSE 8888
USER 10001:10001
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss256k", "-jar", "/opt/switchboard/healthcheck.jar"]
ENTRYPOINT ["java", "-jar", "/app/kms-emulator.jar"]
CMD ["--port", "8888", "--host", "0.0.0.0"]
