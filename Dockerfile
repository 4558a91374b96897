# One image with the four loginpipe programs; pick one with the command, e.g.
#   docker run --rm -e BOOTSTRAP_SERVERS=host:9092 loginpipe java -jar /app/producer.jar
# Works with a read-only root filesystem: the JVM writes only to /tmp (mount a tmpfs or volume there).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependency cache: the poms alone (every module of the root pom; DockerfileTest checks), built once with empty
# sources, so this layer changes only with a pom.
COPY pom.xml ./
COPY common/pom.xml common/
COPY local-kafka/pom.xml local-kafka/
COPY consumer/pom.xml consumer/
COPY producer/pom.xml producer/
COPY dlq-consumer/pom.xml dlq-consumer/
COPY dlq-console/pom.xml dlq-console/
COPY system-tests/pom.xml system-tests/
COPY benchmarks/pom.xml benchmarks/
COPY deploy-checks/pom.xml deploy-checks/
COPY docker-tests/pom.xml docker-tests/
RUN mvn -B -q -DskipTests -pl consumer,producer,dlq-consumer,dlq-console,local-kafka -am package
COPY . .
RUN mvn -B -q -DskipTests -pl consumer,producer,dlq-consumer,dlq-console,local-kafka -am package

# Built for Java 17, run on 25: the consumer's AOT cache (below) needs a JDK 25.
FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 loginpipe \
 && useradd --system --uid 10001 --gid loginpipe --home-dir /app --no-create-home --shell /usr/sbin/nologin loginpipe
WORKDIR /app
COPY --from=build /src/consumer/target/consumer.jar /src/producer/target/producer.jar \
     /src/dlq-consumer/target/dlq-consumer.jar /src/dlq-console/target/dlq-console.jar ./
COPY schema.json create-topics.sh ./
COPY consumer/jvm.options consumer.jvm.options
# Heap from the container's memory limit; die on OOM so the restart policy brings back a clean JVM.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp" \
    HTTP_PORT=8080
# The consumer's AOT cache (JEPs 483, 514, 515: classes loaded and linked, method profiles), trained here on 100,000
# generated events through a throw-away broker (local-kafka.jar, mounted from the build stage, not kept), with this
# jar at this path and this JDK: it cannot be stale (JDK 25 would use a cache made for another jar without a word;
# docs/operations.md, "Runtime"). consumer.jvm.options then names it, so every launcher of the image uses it.
RUN --mount=type=bind,from=build,source=/src/local-kafka/target/local-kafka.jar,target=/tmp/local-kafka.jar \
    --mount=type=bind,source=consumer/train-aot-cache.sh,target=/tmp/train-aot-cache.sh \
    bash /tmp/train-aot-cache.sh /tmp/local-kafka.jar /app /app/consumer.aot \
 && echo "-XX:AOTCache=/app/consumer.aot" >> /app/consumer.jvm.options
USER 10001:10001
VOLUME /tmp
EXPOSE 8080
# No curl or wget in the JRE image: one HTTP request through bash's /dev/tcp.
HEALTHCHECK --interval=10s --timeout=5s --start-period=40s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/"${HTTP_PORT:-8080}" && printf "GET /health/ready HTTP/1.0\r\n\r\n" >&3 && read -r _ code _ <&3 && [ "$code" = 200 ]'
# The router's JVM flags (the collector, when C2 compiles) are in consumer/jvm.options, with why.
CMD ["java", "@/app/consumer.jvm.options", "-jar", "/app/consumer.jar"]
