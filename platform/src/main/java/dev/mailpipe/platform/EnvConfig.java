package dev.mailpipe.platform;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads configuration once, at start: an optional properties file named by
 * {@code MAILPIPE_CONFIG_FILE}, overridden by environment variables. A variable
 * {@code MAILPIPE_SMTP_PORT} becomes the key {@code smtp.port}; {@code KAFKA_BOOTSTRAP_SERVERS}
 * becomes {@code bootstrap.servers}. The result feeds each app's typed {@code AbstractConfig}.
 */
public final class EnvConfig {

    public static final String PREFIX = "MAILPIPE_";
    public static final String CONFIG_FILE_VARIABLE = "MAILPIPE_CONFIG_FILE";
    public static final String BOOTSTRAP_VARIABLE = "KAFKA_BOOTSTRAP_SERVERS";

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
                values.put("bootstrap.servers", value);
            } else if (name.startsWith(PREFIX) && !name.equals(CONFIG_FILE_VARIABLE)) {
                values.put(keyOf(name), value);
            }
        });
        return values;
    }

    /** {@code MAILPIPE_SMTP_PORT} → {@code smtp.port}. */
    public static String keyOf(final String variable) {
        return variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code smtp.port} → {@code MAILPIPE_SMTP_PORT}; {@code bootstrap.servers} → {@code KAFKA_BOOTSTRAP_SERVERS}. */
    public static String variableOf(final String key) {
        if (key.equals("bootstrap.servers")) {
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
