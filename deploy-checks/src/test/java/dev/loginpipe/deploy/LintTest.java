package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** shellcheck on every shell script, yamllint on the deployment YAML. */
class LintTest {

    @Test
    void shellScriptsPassShellcheck() throws IOException {
        Repo.requireTool("shellcheck", "shellcheck");
        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources"));
        command.addAll(shellScripts());
        assertThat(command).contains("create-topics.sh", "run-local.sh", ".ci/run");
        Repo.Result result = Repo.run(java.time.Duration.ofMinutes(1), java.util.Map.of(), command);
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void deploymentYamlPassesYamllint() {
        Repo.requireTool("yamllint", "yamllint");
        Repo.Result result = Repo.run("yamllint", "--strict", "-c", ".yamllint", ".yamllint", "docker-compose.yml",
                "docker-compose.cluster.yml", "monitoring");
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /** Every *.sh outside build output and local data, plus .ci/run. */
    private static List<String> shellScripts() throws IOException {
        try (Stream<Path> files = Files.walk(Repo.ROOT)) {
            List<String> scripts = new ArrayList<>(files
                    .map(p -> Repo.ROOT.relativize(p).toString())
                    .filter(p -> p.endsWith(".sh"))
                    .filter(p -> !p.contains("target/") && !p.startsWith(".local") && !p.startsWith(".git/"))
                    .sorted().toList());
            scripts.add(".ci/run");
            return scripts;
        }
    }
}
