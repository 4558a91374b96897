package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.loginpipe.common.config.KafkaClientSettings;
import dev.loginpipe.common.config.Setting;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.config.SettingsDoc;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/**
 * README.md and docs/ cannot rot silently: their links resolve, the commands they show exist, the variables they name
 * are declared, the test classes they cite exist, the console's claims name test methods that exist, and the
 * configuration table is the code's.
 */
class DocsTest {
    /** The jars a reader runs with {@code java -jar}, by file name: their {@code --help} is the truth. */
    private static final Map<String, String> JARS = Map.of(
            "consumer.jar", "consumer/target/consumer.jar",
            "producer.jar", "producer/target/producer.jar",
            "dlq-consumer.jar", "dlq-consumer/target/dlq-consumer.jar",
            "dlq-console.jar", "dlq-console/target/dlq-console.jar",
            "local-kafka.jar", "local-kafka/target/local-kafka.jar");
    /** JMH's own command line (benchmark names, -p ...), not ours; its docs are JMH's. */
    private static final Set<String> NOT_OURS = Set.of("benchmarks.jar");
    /** {@code java [flags] -jar path/X.jar [first argument]}. */
    private static final Pattern JAVA_JAR = Pattern.compile(
            "\\bjava\\b[^`|\\n]*?\\s-jar\\s+(\\S*?)([\\w-]+\\.jar)(?:[ \\t]+([^\\s`]+))?");
    /** Names written like environment variables: upper case words joined by underscores. */
    private static final Pattern VARIABLE = Pattern.compile("(?<![\\w.$-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\\w.(-])");
    /** {@code FooTest}, {@code FooBarTest}: a test class named in prose. */
    private static final Pattern TEST_CLASS = Pattern.compile("\\b([A-Z][A-Za-z0-9]*Test)\\b");
    /** {@code FooTest#method}: a test method named in prose. */
    private static final Pattern TEST_METHOD = Pattern.compile("\\b([A-Z][A-Za-z0-9]*Test)#([a-z][A-Za-z0-9]*)\\b");
    /** What makes a method a test, for JUnit and jqwik. */
    private static final Pattern TEST_ANNOTATION = Pattern.compile(
            "^\\s*@(Test|Property|Example|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b");
    /** A method's declaration: its name before the parenthesis. */
    private static final Pattern METHOD = Pattern.compile("^\\s*(?:[\\w<>\\[\\],.?]+\\s+)+(\\w+)\\s*\\(");
    /** The sections of docs/console.md whose every list item names the tests that check it (issue 32, "Proof"). */
    private static final List<String> CONSOLE_CLAIMS = List.of("People and roles", "Safety", "Bounds");
    /** A fully qualified name of ours: a package or a class. */
    private static final Pattern OUR_NAME = Pattern.compile("\\bdev\\.loginpipe(?:\\.[A-Za-z_][A-Za-z0-9_]*)+");

    @Test
    void everyRelativeLinkResolvesToAFileAndItsAnchor() {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher link = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)").matcher(prose(read(page)));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!resolved.startsWith(Repo.ROOT) || !Files.exists(resolved)) {
                    broken.add(name(page) + ": " + target + " (no such file)");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    broken.add(name(page) + ": " + target + " (no heading with that anchor in " + name(resolved)
                            + ")");
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void anchorsAreTheOnesGitHubMakes() {
        assertThat(slug("On a laptop, without Docker: `./run-local.sh`")).isEqualTo("on-a-laptop-without-docker-run-localsh");
        assertThat(slug("Tests with Docker: `-Pdocker`")).isEqualTo("tests-with-docker--pdocker");
        assertThat(slug("TLS/SASL in Compose")).isEqualTo("tlssasl-in-compose");
        assertThat(slug("The DLQ tool: `dlq-consumer.jar`")).isEqualTo("the-dlq-tool-dlq-consumerjar");
    }

    @Test
    void everyJavaJarLineNamesACommandTheJarsHelpLists() {
        Map<String, Set<String>> commands = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        int lines = 0;
        for (Path page : pages()) {
            for (String line : read(page).lines().toList()) {
                Matcher m = JAVA_JAR.matcher(line);
                while (m.find()) {
                    String jar = m.group(2);
                    if (NOT_OURS.contains(jar)) {
                        continue;
                    }
                    lines++;
                    if (!JARS.containsKey(jar)) {
                        wrong.add(name(page) + ": " + jar + " is not a jar of this build: " + line.strip());
                        continue;
                    }
                    Set<String> known = commands.computeIfAbsent(jar, DocsTest::commandsOfHelp);
                    String argument = m.group(3);
                    if (argument == null || argument.startsWith("-") || argument.startsWith("#")) {
                        continue; // no command, an option, or a comment
                    }
                    if (argument.startsWith("[")) { // a usage line: [watch|report|...] must be exactly the commands
                        Set<String> listed = new TreeSet<>(Arrays.asList(argument.replaceAll("[\\[\\]]", "").split("\\|")));
                        if (!listed.equals(known)) {
                            wrong.add(name(page) + ": " + jar + " usage lists " + listed + ", its --help " + known);
                        }
                    } else if (!known.contains(argument)) {
                        wrong.add(name(page) + ": " + jar + " has no command '" + argument + "' (its --help lists "
                                + known + "): " + line.strip());
                    }
                }
            }
        }
        assertThat(lines).as("java -jar lines found").isGreaterThan(10);
        assertThat(commands.get("dlq-consumer.jar")).as("the DLQ tool's commands, from its --help")
                .contains("watch", "report", "replay", "export", "console", "backtest", "user");
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyEnvironmentVariableNamedIsDeclared() {
        Set<String> declared = new TreeSet<>(Settings.ALL.stream().map(Setting::name).toList());
        declared.addAll(EnvExampleTest.declared()); // the scripts' and Compose files' variables
        declared.addAll(composeEnvironmentKeys()); // what the Compose files set for the images they run
        declared.addAll(scriptVariables()); // what the shell scripts read
        declared.addAll(simulationFaults()); // the fault kinds of the simulation's schedules
        Set<String> undeclared = new TreeSet<>();
        for (Path page : pages()) {
            Matcher m = VARIABLE.matcher(read(page));
            while (m.find()) {
                String name = m.group(1);
                if (!declared.contains(name) && !name.startsWith(KafkaClientSettings.PREFIX) && !kafkasOwn(name)
                        && !FOREIGN.contains(name) && !name.startsWith("GF_")) { // GF_*: Grafana's own settings
                    undeclared.add(name + " (" + name(page) + ")");
                }
            }
        }
        assertThat(undeclared).as("named in the docs but declared nowhere (Settings, .env.example, the Compose files)")
                .isEmpty();
    }

    @Test
    void everyTestClassAndEveryNameOfOursExists() {
        Set<String> testClasses = javaFiles("src/test/java").stream().map(p -> p.getFileName().toString())
                .map(f -> f.substring(0, f.length() - ".java".length())).collect(Collectors.toSet());
        Set<String> missing = new TreeSet<>();
        for (Path page : pages()) {
            String text = read(page);
            Matcher test = TEST_CLASS.matcher(text);
            while (test.find()) {
                if (!testClasses.contains(test.group(1))) {
                    missing.add(test.group(1) + " (" + name(page) + ")");
                }
            }
            Matcher ours = OUR_NAME.matcher(text);
            while (ours.find()) {
                String path = ours.group().replace('.', '/');
                boolean exists = Stream.of("src/main/java/", "src/test/java/").anyMatch(source -> modules().stream()
                        .anyMatch(module -> Files.isRegularFile(module.resolve(source + path + ".java"))
                                || Files.isDirectory(module.resolve(source + path))));
                if (!exists) {
                    missing.add(ours.group() + " (" + name(page) + ")");
                }
            }
        }
        assertThat(testClasses).contains("RoutingSimulationTest", "DocsTest");
        missing.addAll(missingPaths());
        assertThat(missing).as("named in the docs, found in no module").isEmpty();
    }

    /**
     * Every item of the console's People and roles, Safety and Bounds names at least one test method as
     * {@code Class#method}, and each is a test of some module's src/test/java, so a claim cannot lose its proof.
     */
    @Test
    void everyClaimOfTheConsolesSafetyNamesATestMethodThatExists() {
        Map<String, Set<String>> testMethods = new LinkedHashMap<>();
        for (Path file : javaFiles("src/test/java")) {
            String name = file.getFileName().toString().replace(".java", "");
            testMethods.computeIfAbsent(name, n -> new TreeSet<>()).addAll(testMethods(read(file)));
        }
        assertThat(testMethods.get("DocsTest")).contains("everyClaimOfTheConsolesSafetyNamesATestMethodThatExists");
        String console = read(Repo.file("docs/console.md"));
        List<String> wrong = new ArrayList<>();
        for (String section : CONSOLE_CLAIMS) {
            List<String> items = listItems(section(console, section));
            assertThat(items).as("the items of ## " + section).isNotEmpty();
            for (String item : items) {
                Matcher named = TEST_METHOD.matcher(item);
                boolean any = false;
                while (named.find()) {
                    any = true;
                    if (!testMethods.getOrDefault(named.group(1), Set.of()).contains(named.group(2))) {
                        wrong.add(section + ": " + named.group() + " is no test method");
                    }
                }
                if (!any) {
                    wrong.add(section + ": names no Class#method: " + item.substring(0, Math.min(80, item.length())));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** The names of the methods annotated as tests in a Java source. */
    private static Set<String> testMethods(String source) {
        Set<String> names = new TreeSet<>();
        boolean annotated = false;
        for (String line : source.lines().toList()) {
            if (TEST_ANNOTATION.matcher(line).find()) {
                annotated = true;
                continue;
            }
            Matcher method = METHOD.matcher(line);
            if (annotated && !line.strip().startsWith("@") && method.find()) {
                names.add(method.group(1));
                annotated = false;
            }
        }
        return names;
    }

    /** The text of a page's {@code ## heading} section, up to the next one. */
    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n## " + heading + "\n");
        assertThat(start).as("## " + heading).isNotNegative();
        int end = markdown.indexOf("\n## ", start + 1);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** A section's list items, each with its indented continuation lines. */
    private static List<String> listItems(String section) {
        List<String> items = new ArrayList<>();
        StringBuilder item = null;
        for (String line : (section + "\n").lines().toList()) {
            if (line.matches("[-*] .*") || line.isBlank() || !line.startsWith("  ")) {
                if (item != null) {
                    items.add(item.toString());
                }
                item = line.matches("[-*] .*") ? new StringBuilder(line) : null;
            } else if (item != null) {
                item.append(' ').append(line.strip());
            }
        }
        if (item != null) {
            items.add(item.toString());
        }
        return items;
    }

    /**
     * Paths of this repository written as code ({@code consumer/jvm.options}): each must exist. Build output
     * ({@code target/}) and elisions ({@code ...}) are not checked.
     */
    private static Set<String> missingPaths() {
        Set<String> missing = new TreeSet<>();
        for (Path page : pages()) {
            Matcher code = Pattern.compile("`([a-z][A-Za-z0-9_.-]*)/([A-Za-z0-9_./-]*)`").matcher(read(page));
            while (code.find()) {
                String path = code.group(1) + "/" + code.group(2);
                if (Files.isDirectory(Repo.file(code.group(1))) && !path.contains("target/") && !path.contains("...")
                        && !Files.exists(Repo.file(path))) {
                    missing.add(path + " (" + name(page) + ")");
                }
            }
        }
        return missing;
    }

    /**
     * The quick start's two commands are the ones the build proves: the demo RunLocalTest runs, and the command
     * .ci/run runs.
     */
    @Test
    void theQuickStartIsWhatTheBuildRuns() {
        String readme = read(Repo.file("README.md"));
        String quickStart = readme.substring(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start")));
        Matcher block = Pattern.compile("(?ms)^```\\n(.*?)^```").matcher(quickStart);
        assertThat(block.find()).as("the quick start has a code block").isTrue();
        List<String> commands = block.group(1).lines().map(line -> line.replaceAll("\\s+#.*", "").strip()).toList();

        Matcher ci = Pattern.compile("(?m)^(mvn .*)$").matcher(Repo.read(".ci/run"));
        String ciCommand = null;
        while (ci.find()) {
            ciCommand = ci.group(1).strip();
        }
        Matcher demo = Pattern.compile("\"--events\", \"(\\d+)\"").matcher(
                Repo.read("deploy-checks/src/test/java/dev/loginpipe/deploy/RunLocalTest.java"));
        assertThat(demo.find()).as("RunLocalTest runs the bounded demo").isTrue();
        assertThat(commands).containsExactly("./run-local.sh --events " + demo.group(1), ciCommand);
    }

    /** docs/configuration.md's table is generated from the declarations; regenerate it when they change. */
    @Test
    void theConfigurationTableIsTheDeclaration() {
        String page = read(Repo.file("docs/configuration.md"));
        String start = "<!-- settings-table:start -->\n";
        int from = page.indexOf(start);
        int to = page.indexOf("<!-- settings-table:end -->");
        assertThat(from).as("docs/configuration.md has the settings table markers").isNotNegative();
        assertThat(page.substring(from + start.length(), to))
                .as("docs/configuration.md's table; print the current one with: java -cp "
                        + "common/target/classes dev.loginpipe.common.config.SettingsDoc")
                .isEqualTo(SettingsDoc.markdownTable());
    }

    /** Names of other programs the docs may use: the JVM's and Docker's variables, a socket option. */
    private static final Set<String> FOREIGN = Set.of("JAVA_TOOL_OPTIONS", "DOCKER_HOST", "TCP_NODELAY");

    /** Kafka's own upper-case names: error codes, ACL operations, security protocols, transaction states. */
    private static boolean kafkasOwn(String name) {
        return Arrays.stream(Errors.values()).anyMatch(e -> e.name().equals(name))
                || EnumSet.allOf(TransactionState.class).stream().anyMatch(t -> t.name().equals(name))
                || EnumSet.allOf(AclOperation.class).stream().anyMatch(o -> o.name().equals(name))
                || EnumSet.allOf(SecurityProtocol.class).stream().anyMatch(p -> p.name().equals(name));
    }

    /** The commands a jar's {@code --help} lists under "Commands:" (none for a jar that has only options). */
    private static Set<String> commandsOfHelp(String jar) {
        Path file = Repo.file(JARS.get(jar));
        assertThat(file).as(jar + " is built (mvn -B -q install -DskipTests)").isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Repo.Result help = Repo.run(Duration.ofMinutes(1), Map.of(), List.of(java, "-jar", file.toString(), "--help"));
        assertThat(help.exitCode()).as(jar + " --help: " + help.output()).isZero();
        Set<String> commands = new TreeSet<>();
        boolean inCommands = false;
        for (String line : help.output().lines().toList()) {
            if (line.strip().equals("Commands:")) {
                inCommands = true;
            } else if (inCommands && (line.isBlank() || !line.startsWith(" "))) {
                inCommands = false;
            } else if (inCommands) {
                Matcher command = Pattern.compile("^ {2}([a-z][a-z-]*)(\\s|$)").matcher(line);
                if (command.find()) {
                    commands.add(command.group(1));
                }
            }
        }
        return commands;
    }

    /** README.md and every page of docs/. */
    static List<Path> pages() {
        try (Stream<Path> docs = Files.list(Repo.file("docs"))) {
            List<Path> pages = new ArrayList<>(List.of(Repo.file("README.md")));
            pages.addAll(docs.filter(p -> p.toString().endsWith(".md")).sorted().toList());
            return pages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text outside fenced code blocks and inline code, where Markdown makes links. */
    private static String prose(String markdown) {
        return markdown.replaceAll("(?ms)^```.*?^```", "").replaceAll("`[^`\\n]*`", "");
    }

    /** The anchors GitHub gives the headings of a Markdown file (none for other files). */
    static Set<String> anchors(Path file) {
        Set<String> anchors = new TreeSet<>();
        if (!file.toString().endsWith(".md")) {
            return anchors;
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        String text = read(file).replaceAll("(?ms)^```.*?^```", "");
        Matcher heading = Pattern.compile("(?m)^#{1,6} +(.+?) *#*$").matcher(text);
        while (heading.find()) {
            String slug = slug(heading.group(1));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    /** GitHub's heading anchor: the text as rendered, lower case, without punctuation, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** The keys of every {@code environment:} map of both Compose files. */
    private static Set<String> composeEnvironmentKeys() {
        Set<String> keys = new TreeSet<>();
        for (String file : List.of("docker-compose.yml", "docker-compose.cluster.yml")) {
            Matcher key = Pattern.compile("(?m)^ +([A-Z][A-Z0-9_]+): ").matcher(Repo.read(file));
            while (key.find()) {
                keys.add(key.group(1));
            }
        }
        return keys;
    }

    /** Every ${NAME...} a shell script of the repository reads. */
    private static Set<String> scriptVariables() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(Repo.ROOT)) {
            for (Path script : files.filter(p -> p.toString().endsWith(".sh")).toList()) {
                Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+)[:}?-]").matcher(read(script));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** The constants of the simulation's {@code SimFault.Kind}, which the docs quote from failing schedules. */
    private static Set<String> simulationFaults() {
        String source = read(Repo.file("consumer/src/test/java/dev/loginpipe/consumer/SimFault.java"));
        String kinds = source.substring(source.indexOf("enum Kind {"));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^ {8}([A-Z][A-Z0-9_]*)[,;]?\\s*$").matcher(kinds);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).as("SimFault.Kind").contains("FENCE", "LOSE");
        return names;
    }

    private static List<Path> modules() {
        try (Stream<Path> dirs = Files.list(Repo.ROOT)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> javaFiles(String source) {
        List<Path> files = new ArrayList<>();
        for (Path module : modules()) {
            Path root = module.resolve(source);
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return files;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Path file) {
        return Repo.ROOT.relativize(file).toString();
    }
}
