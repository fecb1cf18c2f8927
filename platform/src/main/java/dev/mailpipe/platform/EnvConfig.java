package dev.mailpipe.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads configuration once, at start: an optional properties file named by
 * {@code MAILPIPE_CONFIG_FILE}, overridden by environment variables. A variable
 * {@code MAILPIPE_SMTP_PORT} becomes the key {@code smtp.port}; {@code KAFKA_BOOTSTRAP_SERVERS}
 * becomes {@code bootstrap.servers}. The result feeds each app's typed {@code AbstractConfig}
 * through {@link #load}, which names the environment variable of an invalid value (one rule for
 * every app). {@link #unknownSettings} finds {@code MAILPIPE_*} variables no app defines.
 */
public final class EnvConfig {

    public static final String PREFIX = "MAILPIPE_";
    public static final String CONFIG_FILE_VARIABLE = "MAILPIPE_CONFIG_FILE";
    public static final String BOOTSTRAP_VARIABLE = "KAFKA_BOOTSTRAP_SERVERS";
    /** {@code MAILPIPE_*} variables that are not settings of an app (read by the launcher). */
    public static final Set<String> NOT_SETTINGS = Set.of(CONFIG_FILE_VARIABLE, "MAILPIPE_JAVA_OPTS");

    private static final Pattern KEY_IN_MESSAGE = Pattern.compile("configuration \"?([a-z0-9][a-z0-9.]*[a-z0-9])\"?");

    private EnvConfig() {
    }

    /** Config keys and their raw string values from the given environment. */
    public static Map<String, String> fromEnvironment(final Map<String, String> env) {
        final Map<String, String> values = new TreeMap<>();
        final String file = env.get(CONFIG_FILE_VARIABLE);
        if (file != null && !file.isBlank()) {
            values.putAll(readProperties(Path.of(file)));
        }
        env.forEach((name, value) -> {
            if (name.equals(BOOTSTRAP_VARIABLE)) {
                values.put(CommonConfigs.BOOTSTRAP_SERVERS_CONFIG, value);
            } else if (name.startsWith(PREFIX) && !NOT_SETTINGS.contains(name)) {
                values.put(keyOf(name), value);
            }
        });
        return values;
    }

    /**
     * Builds an app's config from the environment (and {@code MAILPIPE_CONFIG_FILE}).
     *
     * @throws ConfigException naming the environment variable of the first invalid value
     */
    public static <C> C load(final Map<String, String> env, final Function<Map<String, String>, C> config) {
        final Map<String, String> values = fromEnvironment(env);
        try {
            return config.apply(values);
        } catch (final ConfigException e) {
            throw new ConfigException(withVariable(e.getMessage()));
        }
    }

    /**
     * Adds the environment variable to ConfigDef's "... for configuration smtp.port: ..." messages:
     * {@code ... (environment variable MAILPIPE_SMTP_PORT)}. Messages that already name it are kept.
     */
    public static String withVariable(final String message) {
        final String text = message == null ? "" : message;
        final Matcher matcher = KEY_IN_MESSAGE.matcher(text);
        if (!matcher.find()) {
            return text;
        }
        final String variable = variableOf(matcher.group(1));
        return text.contains(variable) ? text : text + " (environment variable " + variable + ")";
    }

    /**
     * The settings given that no app defines: {@code MAILPIPE_*} variables (and config-file keys)
     * whose key is in none of {@code definitions} nor under one of their pass-through prefixes, each
     * described in one line with the closest known variable when there is one.
     */
    public static List<String> unknownSettings(final Map<String, String> env,
            final Collection<AppConfigDef> definitions) {
        final Set<String> known = new java.util.TreeSet<>();
        final List<String> prefixes = new ArrayList<>();
        for (final AppConfigDef definition : definitions) {
            known.addAll(definition.configDef().names());
            prefixes.addAll(definition.passThroughPrefixes());
        }
        final List<String> unknown = new ArrayList<>();
        if (known.isEmpty()) {
            return unknown;
        }
        final java.util.function.Predicate<String> isKnown =
                key -> known.contains(key) || prefixes.stream().anyMatch(key::startsWith);
        new TreeMap<>(env).forEach((name, value) -> {
            if (name.startsWith(PREFIX) && !NOT_SETTINGS.contains(name) && !isKnown.test(keyOf(name))) {
                unknown.add(name + " is not a mailpipe setting and is ignored" + closest(name, known, true));
            }
        });
        final String file = env.get(CONFIG_FILE_VARIABLE);
        if (file != null && !file.isBlank()) {
            readProperties(Path.of(file)).keySet().stream().filter(isKnown.negate()).forEach(key -> unknown.add(
                    key + " in " + file + " is not a mailpipe setting and is ignored" + closest(key, known, false)));
        }
        return unknown;
    }

    private static String closest(final String given, final Set<String> known, final boolean asVariable) {
        String best = null;
        int bestDistance = 3;
        for (final String key : known) {
            final String candidate = asVariable ? variableOf(key) : key;
            final int distance = distance(given, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(final String a, final String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** {@code MAILPIPE_SMTP_PORT} → {@code smtp.port}. */
    public static String keyOf(final String variable) {
        return variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code smtp.port} → {@code MAILPIPE_SMTP_PORT}; {@code bootstrap.servers} → {@code KAFKA_BOOTSTRAP_SERVERS}. */
    public static String variableOf(final String key) {
        if (key.equals(CommonConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            return BOOTSTRAP_VARIABLE;
        }
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static Map<String, String> readProperties(final Path path) {
        final Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (final IOException e) {
            throw new ConfigException(CONFIG_FILE_VARIABLE + "=" + path + " cannot be read: " + e.getMessage());
        }
        final Map<String, String> values = new TreeMap<>();
        props.stringPropertyNames().forEach(name -> values.put(name, props.getProperty(name)));
        return values;
    }
}
