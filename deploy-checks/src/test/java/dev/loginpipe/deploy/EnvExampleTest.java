package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.loginpipe.common.config.Setting;
import dev.loginpipe.common.config.Settings;
import org.junit.jupiter.api.Test;

/** .env.example is the one place a user sees every variable: it must keep up with the code and the scripts. */
class EnvExampleTest {

    @Test
    void declaresEveryServiceSetting() {
        assertThat(declared()).containsAll(Settings.ALL.stream().map(Setting::name).toList());
    }

    @Test
    void declaresEveryVariableOfTheScripts() {
        for (String script : new String[] {"create-topics.sh", "run-local.sh"}) {
            Set<String> used = new TreeSet<>();
            // ${NAME:-default} is how both scripts read an optional setting.
            Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+):-").matcher(Repo.read(script));
            while (m.find()) {
                used.add(m.group(1));
            }
            used.remove("KAFKA_TOPICS_CMD"); // set by run-local.sh and tests, not by users of Compose
            assertThat(declared()).as(script).containsAll(used);
        }
    }

    /** The values .env.example sets (not the commented-out examples). */
    static java.util.Map<String, String> values() {
        java.util.Map<String, String> values = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("(?m)^([A-Z][A-Z0-9_]*)=(.*)$").matcher(Repo.read(".env.example"));
        while (m.find()) {
            values.put(m.group(1), m.group(2));
        }
        return values;
    }

    /** Names set in .env.example, commented-out examples included. */
    static Set<String> declared() {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^#? ?([A-Z][A-Z0-9_]*)=").matcher(Repo.read(".env.example"));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
