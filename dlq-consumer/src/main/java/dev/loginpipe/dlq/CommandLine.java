package dev.loginpipe.dlq;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.loginpipe.common.validation.FailureSignature;
import dev.loginpipe.dlq.replay.ReplayControl;
import dev.loginpipe.dlq.replay.ReplayOptions;

/** The command and its options, checked against what each command accepts; a bad one throws with one line. */
record CommandLine(String command, Map<String, String> values, Set<String> flags) {
    static final List<String> COMMANDS = List.of("watch", "report", "replay", "export", "console", "user", "backtest");
    private static final Map<String, Set<String>> VALUE_OPTIONS = Map.of(
            "watch", Set.of(), "report", Set.of(), "export", Set.of("--out"), "console", Set.of(),
            "user", Set.of("--name", "--role"),
            "backtest", Set.of("--schema", "--registry-version", "--output-records"),
            "replay", Set.of("--to", "--reason", "--signature", "--since", "--until", "--limit", "--rate", "--id",
                    "--schema-version"));
    private static final Map<String, Set<String>> FLAG_OPTIONS = Map.of(
            "watch", Set.of(), "report", Set.of("--json"), "export", Set.of(), "replay", Set.of("--dry-run", "--again"),
            "console", Set.of(), "user", Set.of("--list", "--remove", "--password", "--proxy-only"),
            "backtest", Set.of("--json"));

    /** A command line that cannot be used; the message says why, for people. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static CommandLine parse(String[] args) {
        int next = 0;
        String command = "watch";
        if (args.length > 0 && !args[0].startsWith("--")) {
            command = args[0];
            next = 1;
            if (!COMMANDS.contains(command)) {
                throw new UsageException("unknown command '" + command + "', expected one of " + COMMANDS);
            }
        }
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = next; i < args.length; i++) {
            String option = args[i];
            if (FLAG_OPTIONS.get(command).contains(option)) {
                flags.add(option);
            } else if (VALUE_OPTIONS.get(command).contains(option)) {
                if (i + 1 == args.length) {
                    throw new UsageException(option + " needs a value");
                }
                values.put(option, args[++i]);
            } else {
                throw new UsageException("'" + option + "' is not an option of " + command + ", see --help");
            }
        }
        if (command.equals("export") && !values.containsKey("--out")) {
            throw new UsageException("export needs --out FILE");
        }
        if (command.equals("backtest")) {
            String version = values.get("--registry-version");
            if (values.containsKey("--schema") == (version != null)) {
                throw new UsageException("backtest needs either --schema FILE or --registry-version N");
            }
            if (version != null && !version.matches("latest|[1-9][0-9]{0,8}")) {
                throw new UsageException("--registry-version: invalid value '" + version
                        + "', expected latest or an integer >= 1");
            }
            if (values.containsKey("--output-records")) {
                positive("--output-records", values.get("--output-records"));
            }
        }
        if (command.equals("user")) {
            boolean list = flags.contains("--list");
            boolean remove = flags.contains("--remove");
            boolean put = values.containsKey("--role");
            if ((list ? 1 : 0) + (remove ? 1 : 0) + (put ? 1 : 0) != 1 || list == values.containsKey("--name")
                    || !put && (flags.contains("--password") || flags.contains("--proxy-only"))) {
                throw new UsageException("user: --list, --name N --remove, or --name N --role R [--password | "
                        + "--proxy-only]");
            }
        }
        CommandLine commandLine = new CommandLine(command, values, flags);
        commandLine.replayOptions(null); // checks times, the limit and the rest before anything connects
        commandLine.replayControl();
        return commandLine;
    }

    ReplayOptions replayOptions(String inputTopic) {
        String limit = values.get("--limit");
        String signature = values.get("--signature");
        if (signature != null && !FailureSignature.isId(signature)) {
            throw new UsageException("--signature: invalid value '" + signature
                    + "', expected the 12 hex digits of a signature id (the console shows them)");
        }
        return new ReplayOptions(values.getOrDefault("--to", inputTopic), values.get("--reason"),
                time("--since"), time("--until"), limit == null ? 0 : positive("--limit", limit),
                flags.contains("--dry-run"), flags.contains("--again"), signature, values.get("--schema-version"));
    }

    /** {@code --id} names the run (a console plan's id resumes that plan's count); {@code --rate} paces it. */
    ReplayControl replayControl() {
        String id = values.get("--id");
        if (id != null && !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new UsageException("--id: invalid value, expected 1 to 64 letters, digits, '.', '_' or '-'");
        }
        String rate = values.get("--rate");
        return ReplayControl.commandLine(id, rate == null ? 0 : positive("--rate", rate));
    }

    /** An instant (2025-01-31T12:00:00Z), a UTC day (2025-01-31) or epoch milliseconds, as epoch ms. */
    private Long time(String option) {
        String text = values.get(option);
        if (text == null) {
            return null;
        }
        try {
            if (text.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(text);
            }
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new UsageException(option + ": invalid time '" + text
                    + "', expected 2025-01-31T12:00:00Z, 2025-01-31 or epoch milliseconds");
        }
    }

    private static long positive(String option, String text) {
        try {
            long value = Long.parseLong(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new UsageException(option + ": invalid value '" + text + "', expected an integer >= 1");
    }
}
