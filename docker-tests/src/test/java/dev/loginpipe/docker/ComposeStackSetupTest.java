package dev.loginpipe.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs in every build: what {@link ComposeStackTest} sets and waits for must be in the Compose files, or a renamed
 * variable or service would make it test something else (or wait for nothing) only where Docker runs.
 */
class ComposeStackSetupTest {

    @ParameterizedTest
    @CsvSource({"docker-compose.yml, single", "docker-compose.cluster.yml, cluster"})
    void everyVariableItSetsIsReadAndEveryServiceItWaitsForIsDeclared(String file, String kind) throws Exception {
        String compose = Files.readString(Repo.file(file));
        Set<String> variables = new TreeSet<>(ComposeStackTest.env().keySet());
        if (kind.equals("single")) {
            variables.add("KAFKA_EXTERNAL_PORT");
        }
        assertThat(matches(compose, "\\$\\{([A-Z0-9_]+)")).as(file + " variables").containsAll(variables);

        // Top-level services: two spaces, a name, a colon, nothing after it.
        String services = compose.substring(compose.indexOf("\nservices:"));
        assertThat(matches(services, "(?m)^  ([a-z0-9-]+):\\s*$")).as(file + " services").containsAll(
                ComposeStackTest.concat(kind.equals("single") ? ComposeStackTest.SINGLE_BROKER
                        : ComposeStackTest.CLUSTER_BROKERS, ComposeStackTest.LOGINPIPE)).contains("topic-creator");
        if (kind.equals("cluster")) {
            assertThat(compose).as("the host ports the cluster test reads from")
                    .contains(":29092:29092\"", ":29093:29092\"", ":29094:29092\"");
        }
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> found = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
