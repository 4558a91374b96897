package dev.loginpipe.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.config.Settings;
import dev.loginpipe.local.DockerEnvironment;
import dev.loginpipe.local.KafkaContainerBroker;
import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The project's Dockerfile, built and run as Compose runs it (read-only root file system, a tmpfs on /tmp): each jar
 * answers --help, runs as the non-root user, and its health check turns healthy against a broker container.
 */
@Tag("docker")
@ExtendWith(DockerEnvironment.class)
class ImageTest {
    /** The image's user (Dockerfile: USER 10001:10001). */
    static final String UID = "10001";
    private static ImageFromDockerfile image;
    private static Network network;
    private static KafkaContainer kafka;
    private static final String INPUT = "image-in";
    private static final String OUTPUT = "image-out";
    private static final String DLQ = "image-dlq";

    @BeforeAll
    static void buildImageAndStartBroker() {
        // The Dockerfile's build stage compiles the jars itself (.dockerignore keeps target/ out of the context).
        image = new ImageFromDockerfile("loginpipe-image-test", true).withDockerfile(Repo.file("Dockerfile"));
        network = Network.newNetwork();
        kafka = new KafkaContainer(KafkaContainerBroker.IMAGE).withNetwork(network).withListener("kafka:19092");
        kafka.start();
        TestKafka.createTopic(kafka.getBootstrapServers(), INPUT, 3);
        TestKafka.createTopic(kafka.getBootstrapServers(), OUTPUT, 3);
        TestKafka.createTopic(kafka.getBootstrapServers(), DLQ, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    /** A container of the image as Compose runs it: read-only root, writable /tmp only. */
    private static GenericContainer<?> service(String... command) {
        return new GenericContainer<>(image)
                .withCommand(command)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .withTmpFs(Map.of("/tmp", "rw"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"consumer.jar", "producer.jar", "dlq-consumer.jar", "dlq-console.jar"})
    void helpPrintsTheSettingsAndExitsZero(String jar) {
        try (GenericContainer<?> help = service("java", "-jar", "/app/" + jar, "--help")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(1)))) {
            help.start(); // the one-shot check fails the start unless the command exited 0
            assertThat(help.getCurrentContainerInfo().getState().getExitCodeLong()).isZero();
            assertThat(help.getLogs(OutputType.STDOUT)).contains("Usage: java -jar " + jar,
                    Settings.BOOTSTRAP_SERVERS.name(), Settings.INPUT_TOPIC.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"consumer.jar", "producer.jar", "dlq-consumer.jar watch"})
    void runsAsNonRootOnAReadOnlyRootAndTurnsHealthyAgainstABroker(String jarAndCommand) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar"));
        String[] parts = jarAndCommand.split(" ");
        command.add("/app/" + parts[0]);
        command.addAll(List.of(parts).subList(1, parts.length));
        try (GenericContainer<?> service = service(command.toArray(String[]::new))
                .withNetwork(network)
                .withEnv(Map.of(
                        "BOOTSTRAP_SERVERS", "kafka:19092",
                        "INPUT_TOPIC", INPUT, "OUTPUT_TOPIC", OUTPUT, "DLQ_TOPIC", DLQ,
                        "INSTANCE_ID", parts[0].replace(".jar", "") + "-image-test",
                        "EVENTS_PER_SECOND", "10"))
                // The image's own HEALTHCHECK (GET /health/ready through bash's /dev/tcp), as Docker reports it.
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(3)))) {
            service.start();
            assertThat(service.isHealthy()).isTrue();
            assertThat(service.getCurrentContainerInfo().getConfig().getUser()).isEqualTo(UID + ":" + UID);
            assertThat(exec(service, "id", "-u").getStdout().trim()).isEqualTo(UID);

            assertThat(rootMountOptions(service)).as("options of the / mount").startsWith("ro,");
            ExecResult rootWrite = exec(service, "touch", "/app/written");
            assertThat(rootWrite.getExitCode()).isNotZero();
            assertThat(rootWrite.getStderr()).contains("Read-only file system");
            assertThat(exec(service, "touch", "/tmp/written").getExitCode()).isZero();
        }
    }

    /** The options of the root mount, from the container's own /proc/mounts ("ro,..." when read-only). */
    private static String rootMountOptions(GenericContainer<?> container) throws Exception {
        return exec(container, "cat", "/proc/mounts").getStdout().lines()
                .map(line -> line.split(" "))
                .filter(fields -> fields.length > 3 && fields[1].equals("/"))
                .map(fields -> fields[3]).findFirst().orElse("");
    }

    private static ExecResult exec(GenericContainer<?> container, String... command) throws Exception {
        return container.execInContainer(command);
    }
}
