package dev.mailpipe.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * How every mailpipe Kafka client authenticates to the brokers and trusts them, from the settings
 * {@link CommonConfigs#defineKafka} defines (environment variables or {@code MAILPIPE_CONFIG_FILE};
 * in Kubernetes values and files from the mounted Strimzi secrets). Unset means PLAINTEXT, as in
 * development and the tests. {@link KafkaDefaults} adds these settings to every producer, consumer,
 * admin and Streams client, so no client can forget them.
 *
 * <ul>
 *   <li>{@value #PROTOCOL}: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL.</li>
 *   <li>{@value #SASL_MECHANISM}: SCRAM-SHA-512 (default), SCRAM-SHA-256 or PLAIN.</li>
 *   <li>{@value #SASL_USERNAME}, and {@value #SASL_PASSWORD} or {@value #SASL_PASSWORD_FILE} (a file
 *       holding only the password, e.g. the {@code password} key of the KafkaUser's secret).</li>
 *   <li>{@value #SSL_TRUSTSTORE_FILE}: the brokers' CA, PEM ({@code ca.crt} of Strimzi's cluster CA
 *       secret) or PKCS12/JKS by file extension with {@value #SSL_TRUSTSTORE_PASSWORD}; unset = the
 *       JVM's default trust store.</li>
 * </ul>
 */
public final class KafkaSecurity {

    public static final String PROTOCOL = "MAILPIPE_KAFKA_SECURITY_PROTOCOL";
    public static final String SASL_MECHANISM = "MAILPIPE_KAFKA_SASL_MECHANISM";
    public static final String SASL_USERNAME = "MAILPIPE_KAFKA_SASL_USERNAME";
    public static final String SASL_PASSWORD = "MAILPIPE_KAFKA_SASL_PASSWORD";
    public static final String SASL_PASSWORD_FILE = "MAILPIPE_KAFKA_SASL_PASSWORD_FILE";
    public static final String SSL_TRUSTSTORE_FILE = "MAILPIPE_KAFKA_SSL_TRUSTSTORE_FILE";
    public static final String SSL_TRUSTSTORE_PASSWORD = "MAILPIPE_KAFKA_SSL_TRUSTSTORE_PASSWORD";

    static {
        // The variables are those of the CommonConfigs keys; keep the two in step.
        check(PROTOCOL, CommonConfigs.KAFKA_SECURITY_PROTOCOL_CONFIG);
        check(SASL_MECHANISM, CommonConfigs.KAFKA_SASL_MECHANISM_CONFIG);
        check(SASL_USERNAME, CommonConfigs.KAFKA_SASL_USERNAME_CONFIG);
        check(SASL_PASSWORD, CommonConfigs.KAFKA_SASL_PASSWORD_CONFIG);
        check(SASL_PASSWORD_FILE, CommonConfigs.KAFKA_SASL_PASSWORD_FILE_CONFIG);
        check(SSL_TRUSTSTORE_FILE, CommonConfigs.KAFKA_SSL_TRUSTSTORE_FILE_CONFIG);
        check(SSL_TRUSTSTORE_PASSWORD, CommonConfigs.KAFKA_SSL_TRUSTSTORE_PASSWORD_CONFIG);
    }

    private static void check(final String variable, final String key) {
        if (!EnvConfig.variableOf(key).equals(variable)) {
            throw new IllegalStateException(variable + " is not the variable of " + key);
        }
    }

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    private static volatile Map<String, Object> process;

    private KafkaSecurity() {
    }

    /** The settings of this process (read once from its environment and MAILPIPE_CONFIG_FILE). */
    public static Map<String, Object> fromProcess() {
        Map<String, Object> props = process;
        if (props == null) {
            final Map<String, String> env = new java.util.HashMap<>();
            EnvConfig.fromEnvironment(System.getenv()).forEach((key, value) -> env.put(EnvConfig.variableOf(key), value));
            props = clientProperties(env);
            process = props;
        }
        return props;
    }

    /**
     * Kafka client settings for {@code env} (variables as above): empty for PLAINTEXT.
     *
     * @throws ConfigException naming the variable when a value is invalid or a file unreadable
     */
    public static Map<String, Object> clientProperties(final Map<String, String> env) {
        final String protocol = value(env, PROTOCOL, "PLAINTEXT").toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new ConfigException(PROTOCOL + "=" + protocol + ": expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        }
        final Map<String, Object> props = new TreeMap<>();
        if (protocol.equals("PLAINTEXT")) {
            return Map.of();
        }
        props.put("security.protocol", protocol);
        if (protocol.startsWith("SASL_")) {
            final String mechanism = value(env, SASL_MECHANISM, "SCRAM-SHA-512").toUpperCase(Locale.ROOT);
            if (!MECHANISMS.contains(mechanism)) {
                throw new ConfigException(SASL_MECHANISM + "=" + mechanism + ": expected SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN");
            }
            final String user = value(env, SASL_USERNAME, "");
            if (user.isEmpty()) {
                throw new ConfigException(SASL_USERNAME + " is required with " + PROTOCOL + "=" + protocol);
            }
            final String password = password(env);
            props.put("sasl.mechanism", mechanism);
            final String module = mechanism.equals("PLAIN")
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            props.put("sasl.jaas.config", module + " required username=\"" + quote(user) + "\" password=\""
                    + quote(password) + "\";");
        }
        if (protocol.endsWith("SSL")) {
            final String truststore = value(env, SSL_TRUSTSTORE_FILE, "");
            if (!truststore.isEmpty()) {
                final Path path = Path.of(truststore);
                if (!Files.isReadable(path)) {
                    throw new ConfigException(SSL_TRUSTSTORE_FILE + "=" + truststore + " cannot be read");
                }
                final String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
                final String type = name.endsWith(".p12") || name.endsWith(".pfx") ? "PKCS12"
                        : name.endsWith(".jks") ? "JKS" : "PEM";
                props.put("ssl.truststore.type", type);
                props.put("ssl.truststore.location", path.toAbsolutePath().toString());
                final String storePassword = value(env, SSL_TRUSTSTORE_PASSWORD, "");
                if (!type.equals("PEM") && !storePassword.isEmpty()) {
                    props.put("ssl.truststore.password", storePassword);
                }
            }
        }
        return Map.copyOf(props);
    }

    private static String password(final Map<String, String> env) {
        final String file = value(env, SASL_PASSWORD_FILE, "");
        if (!file.isEmpty()) {
            try {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (final IOException e) {
                throw new ConfigException(SASL_PASSWORD_FILE + "=" + file + " cannot be read: " + e.getMessage());
            }
        }
        final String password = value(env, SASL_PASSWORD, "");
        if (password.isEmpty()) {
            throw new ConfigException(SASL_PASSWORD + " or " + SASL_PASSWORD_FILE + " is required with SASL");
        }
        return password;
    }

    private static String value(final Map<String, String> env, final String name, final String fallback) {
        final String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static String quote(final String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
