package dev.loginpipe.common.config;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The single declaration of one environment variable: from it come the parser, {@code --help} and the README table.
 *
 * @param name         the environment variable
 * @param type         how its text becomes a value, and what a valid value looks like
 * @param defaultValue the text used when unset; {@code null} makes the variable required
 * @param defaultShown how the default reads in the docs (differs from the text when it is computed at start)
 * @param doc          one sentence for people
 * @param secret       masked wherever values are printed
 * @param services     who reads it
 */
public record Setting<T>(String name, SettingType<T> type, Supplier<String> defaultValue, String defaultShown,
                         String doc, boolean secret, Set<Service> services) {

    public static <T> Setting<T> of(String name, SettingType<T> type, String defaultValue, String doc,
                                    Service... services) {
        return new Setting<>(name, type, defaultValue == null ? null : () -> defaultValue,
                defaultValue == null ? null : defaultValue.isEmpty() ? "empty" : defaultValue, doc, false,
                copy(services));
    }

    public static <T> Setting<T> computed(String name, SettingType<T> type, Supplier<String> defaultValue,
                                          String defaultShown, String doc, Service... services) {
        return new Setting<>(name, type, defaultValue, defaultShown, doc, false, copy(services));
    }

    /** A secret that may be left empty (then the feature it guards is off); never printed. */
    public static Setting<String> secret(String name, String doc, Service... services) {
        return new Setting<>(name, SettingType.OPTIONAL_STRING, () -> "", "empty", doc, true, copy(services));
    }

    public static <T> Setting<T> required(String name, SettingType<T> type, String doc, Service... services) {
        return of(name, type, null, doc, services);
    }

    public boolean required() {
        return defaultValue == null;
    }

    public boolean usedBy(Service service) {
        return services.contains(service);
    }

    private static Set<Service> copy(Service... services) {
        return services.length == 0 ? EnumSet.allOf(Service.class) : EnumSet.of(services[0], services);
    }
}
