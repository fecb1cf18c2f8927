package dev.mailpipe.ingest;

import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.LocalHost;
import dev.mailpipe.platform.Validators;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the SMTP ingest service. Every key maps to an environment variable:
 * {@code smtp.port} ↔ {@code MAILPIPE_SMTP_PORT}, {@code bootstrap.servers} ↔
 * {@code KAFKA_BOOTSTRAP_SERVERS}. Keys of other apps are ignored.
 */
public final class IngestSmtpConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = CommonConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String HTTP_HOST = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_PORT = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String TOPIC_PARTITIONS = CommonConfigs.TOPIC_PARTITIONS_CONFIG;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfigs.TOPIC_REPLICATION_FACTOR_CONFIG;

    public static final String SMTP_HOST = "smtp.host";
    public static final String SMTP_HOST_DOC = "Bind address of the SMTP listeners.";
    public static final String SMTP_PORT = "smtp.port";
    public static final String SMTP_PORT_DOC = "Main SMTP port (STARTTLS offered); 0 picks a free port.";
    public static final String SMTP_EXTRA_PORTS = "smtp.extra.ports";
    public static final String SMTP_EXTRA_PORTS_DOC = "More plain SMTP ports with STARTTLS, e.g. 25,587 (ports below 1024 need privileges).";
    public static final String SMTP_TLS_PORT = "smtp.tls.port";
    public static final String SMTP_TLS_PORT_DOC = "Implicit-TLS (SMTPS) port, e.g. 465; -1 = off, 0 = a free port.";
    public static final String HOSTNAME = CommonConfigs.HOSTNAME_CONFIG;
    public static final String SMTP_MAX_MESSAGE_BYTES = CommonConfigs.MAX_MESSAGE_BYTES_CONFIG;
    /** MAILPIPE_SENDER_DOMAINS: enforce (production default) or any. */
    public static final String SENDER_DOMAINS = CommonConfigs.SENDER_DOMAINS_CONFIG;
    public static final String RATE_LIMIT_PER_MINUTE = CommonConfigs.RATE_LIMIT_PER_MINUTE_CONFIG;
    public static final String RATE_LIMIT_SYNC_MS = CommonConfigs.RATE_LIMIT_SYNC_MS_CONFIG;
    public static final String INSTANCE_ID = CommonConfigs.INSTANCE_ID_CONFIG;
    public static final String SMTP_TLS_ENABLED = "smtp.tls.enabled";
    public static final String SMTP_TLS_ENABLED_DOC = "Offer STARTTLS and implicit TLS.";
    public static final String SMTP_TLS_CERT_FILE = "smtp.tls.cert.file";
    public static final String SMTP_TLS_CERT_FILE_DOC = "PEM certificate chain; empty = a self-signed certificate generated at start.";
    public static final String SMTP_TLS_KEY_FILE = "smtp.tls.key.file";
    public static final String SMTP_TLS_KEY_FILE_DOC = "PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) of the certificate.";
    public static final String SMTP_TLS_REQUIRED_FOR_AUTH = "smtp.tls.required.for.auth";
    public static final String SMTP_TLS_REQUIRED_FOR_AUTH_DOC = "Refuse AUTH until the connection is encrypted.";
    public static final String SMTP_MAX_RECIPIENTS = "smtp.max.recipients";
    public static final String SMTP_MAX_RECIPIENTS_DOC = "RCPT TO accepted per message.";
    public static final String SMTP_MAX_LINE_LENGTH = "smtp.max.line.length";
    public static final String SMTP_MAX_LINE_LENGTH_DOC = "Longest command line in octets, CRLF included.";
    public static final String SMTP_MAX_DATA_LINE_LENGTH = "smtp.max.data.line.length";
    public static final String SMTP_MAX_DATA_LINE_LENGTH_DOC = "Longest line inside DATA, CRLF included. The default leaves room for a 1 MB X-SMTPAPI header on one line (SendCloud accepts it); 1000 enforces RFC 5321 strictly.";
    public static final String SMTP_MAX_ERRORS = "smtp.max.errors";
    public static final String SMTP_MAX_ERRORS_DOC = "Error replies in one session before it is closed with 421.";
    public static final String SMTP_COMMAND_TIMEOUT_MS = "smtp.command.timeout.ms";
    public static final String SMTP_COMMAND_TIMEOUT_MS_DOC = "Idle time allowed between commands (RFC 5321: 5 minutes).";
    public static final String SMTP_DATA_TIMEOUT_MS = "smtp.data.timeout.ms";
    public static final String SMTP_DATA_TIMEOUT_MS_DOC = "Idle time allowed while the message data arrives.";
    public static final String SMTP_COMMAND_DEADLINE_MS = "smtp.command.deadline.ms";
    public static final String SMTP_COMMAND_DEADLINE_MS_DOC = "A whole command line must arrive within this time (however slowly its bytes trickle in).";
    public static final String SMTP_DATA_DEADLINE_MS = "smtp.data.deadline.ms";
    public static final String SMTP_DATA_DEADLINE_MS_DOC = "DATA must end within this time plus its size at the minimum data rate.";
    public static final String SMTP_DATA_MIN_RATE = "smtp.data.min.rate";
    public static final String SMTP_DATA_MIN_RATE_DOC = "Minimum data rate (bytes/s) that extends the DATA deadline for large messages.";
    public static final String SMTP_EVICT_IDLE_MS = "smtp.evict.idle.ms";
    public static final String SMTP_EVICT_IDLE_MS_DOC = "Near the connection cap (90 %), unauthenticated connections idle at least this long are closed (421 4.7.0), the longest idle first.";
    public static final String SMTP_MAX_CONNECTIONS = "smtp.max.connections";
    public static final String SMTP_MAX_CONNECTIONS_DOC = "Open SMTP connections in total.";
    public static final String SMTP_MAX_CONNECTIONS_PER_ADDRESS = "smtp.max.connections.per.address";
    public static final String SMTP_MAX_CONNECTIONS_PER_ADDRESS_DOC = "Open SMTP connections per client IP address.";
    public static final String SMTP_AUTH_MAX_FAILURES = "smtp.auth.max.failures";
    public static final String SMTP_AUTH_MAX_FAILURES_DOC = "Failed AUTH attempts per client address within the window before AUTH is refused (454).";
    public static final String SMTP_AUTH_FAILURE_WINDOW_MS = "smtp.auth.failure.window.ms";
    public static final String SMTP_AUTH_FAILURE_WINDOW_MS_DOC = "Window of the failed-AUTH throttle.";
    public static final String SMTP_TRUSTED_NETWORKS = "smtp.trusted.networks";
    public static final String SMTP_TRUSTED_NETWORKS_DOC = "CIDR=api_user pairs whose clients need no AUTH, e.g. 10.1.0.0/16=internal-app.";
    public static final String SMTP_QUEUE_TIMEOUT_MS = "smtp.queue.timeout.ms";
    public static final String SMTP_QUEUE_TIMEOUT_MS_DOC = "How long a message may wait for the Kafka acknowledgement before the client gets 451 4.3.0.";
    public static final String API_USER = "api.user";
    public static final String API_USER_DOC = "A first account, created at start when it does not exist (with api.key).";
    public static final String API_KEY = "api.key";
    public static final String API_KEY_DOC = "The key of api.user.";

    private static final ConfigDef CONFIG = CommonConfigs.defineSubmission(CommonConfigs.defineHostname(CommonConfigs.defineTopics(CommonConfigs.defineHttp(
                    CommonConfigs.defineKafka(new ConfigDef()), "0.0.0.0", 8081))))
            .define(SMTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, SMTP_HOST_DOC)
            .define(SMTP_PORT, Type.INT, 2525, Validators.port(), Importance.HIGH, SMTP_PORT_DOC)
            .define(SMTP_EXTRA_PORTS, Type.LIST, List.of(), portList(), Importance.MEDIUM, SMTP_EXTRA_PORTS_DOC)
            .define(SMTP_TLS_PORT, Type.INT, -1, Range.between(-1, 65535), Importance.MEDIUM, SMTP_TLS_PORT_DOC)
            .define(SMTP_TLS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, SMTP_TLS_ENABLED_DOC)
            .define(SMTP_TLS_CERT_FILE, Type.STRING, "", Importance.MEDIUM, SMTP_TLS_CERT_FILE_DOC)
            .define(SMTP_TLS_KEY_FILE, Type.STRING, "", Importance.MEDIUM, SMTP_TLS_KEY_FILE_DOC)
            .define(SMTP_TLS_REQUIRED_FOR_AUTH, Type.BOOLEAN, false, Importance.MEDIUM, SMTP_TLS_REQUIRED_FOR_AUTH_DOC)
            .define(SMTP_MAX_RECIPIENTS, Type.INT, 100, Range.between(1, 10_000), Importance.MEDIUM, SMTP_MAX_RECIPIENTS_DOC)
            .define(SMTP_MAX_LINE_LENGTH, Type.INT, 1000, Range.between(512, 100_000), Importance.LOW, SMTP_MAX_LINE_LENGTH_DOC)
            .define(SMTP_MAX_DATA_LINE_LENGTH, Type.INT, 1_100_000, Range.between(1000, 16_000_000), Importance.LOW, SMTP_MAX_DATA_LINE_LENGTH_DOC)
            .define(SMTP_MAX_ERRORS, Type.INT, 10, Range.atLeast(1), Importance.LOW, SMTP_MAX_ERRORS_DOC)
            .define(SMTP_COMMAND_TIMEOUT_MS, Type.INT, 300_000, Range.atLeast(100), Importance.LOW, SMTP_COMMAND_TIMEOUT_MS_DOC)
            .define(SMTP_DATA_TIMEOUT_MS, Type.INT, 180_000, Range.atLeast(100), Importance.LOW, SMTP_DATA_TIMEOUT_MS_DOC)
            .define(SMTP_COMMAND_DEADLINE_MS, Type.INT, 300_000, Range.atLeast(100), Importance.LOW, SMTP_COMMAND_DEADLINE_MS_DOC)
            .define(SMTP_DATA_DEADLINE_MS, Type.INT, 600_000, Range.atLeast(100), Importance.LOW, SMTP_DATA_DEADLINE_MS_DOC)
            .define(SMTP_DATA_MIN_RATE, Type.LONG, 10_240L, Range.atLeast(0), Importance.LOW, SMTP_DATA_MIN_RATE_DOC)
            .define(SMTP_EVICT_IDLE_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW, SMTP_EVICT_IDLE_MS_DOC)
            .define(SMTP_MAX_CONNECTIONS, Type.INT, 2000, Range.atLeast(1), Importance.MEDIUM, SMTP_MAX_CONNECTIONS_DOC)
            .define(SMTP_MAX_CONNECTIONS_PER_ADDRESS, Type.INT, 50, Range.atLeast(1), Importance.MEDIUM, SMTP_MAX_CONNECTIONS_PER_ADDRESS_DOC)
            .define(SMTP_AUTH_MAX_FAILURES, Type.INT, 5, Range.atLeast(1), Importance.MEDIUM, SMTP_AUTH_MAX_FAILURES_DOC)
            .define(SMTP_AUTH_FAILURE_WINDOW_MS, Type.LONG, 300_000L, Range.atLeast(1), Importance.LOW, SMTP_AUTH_FAILURE_WINDOW_MS_DOC)
            .define(SMTP_TRUSTED_NETWORKS, Type.LIST, List.of(), Importance.MEDIUM, SMTP_TRUSTED_NETWORKS_DOC)
            .define(SMTP_QUEUE_TIMEOUT_MS, Type.INT, 30_000, Range.between(1000, 600_000), Importance.MEDIUM, SMTP_QUEUE_TIMEOUT_MS_DOC)
            .define(API_USER, Type.STRING, "", Importance.HIGH, API_USER_DOC)
            .define(API_KEY, Type.PASSWORD, "", Importance.HIGH, API_KEY_DOC);

    public IngestSmtpConfig(final Map<String, ?> values) {
        super(CONFIG, values, false);
        final boolean hasUser = !getString(API_USER).isBlank();
        final boolean hasKey = !getPassword(API_KEY).value().isEmpty();
        if (hasUser != hasKey) {
            throw new ConfigException(EnvConfig.variableOf(API_USER) + " and " + EnvConfig.variableOf(API_KEY)
                    + " must be given together");
        }
    }

    /** Reads the environment (and MAILPIPE_CONFIG_FILE); an invalid value fails naming its variable. */
    public static IngestSmtpConfig fromEnvironment(final Map<String, String> env) {
        return EnvConfig.load(env, IngestSmtpConfig::new);
    }

    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** Registers these settings for config-docs and the unknown-variable warning (META-INF/services). */
    public static final class Definition implements AppConfigDef {
        @Override
        public String name() {
            return "ingest-smtp";
        }

        @Override
        public ConfigDef configDef() {
            return CONFIG;
        }
    }

    /** The configured SMTP host name, or this machine's. */
    public String hostname() {
        return CommonConfigs.hostname(this);
    }

    /** The configured instance id, else $HOSTNAME, else the host name. */
    public String instanceId() {
        return CommonConfigs.instanceId(this);
    }

    public Password apiKey() {
        return getPassword(API_KEY);
    }

    private static ConfigDef.Validator portList() {
        return (name, value) -> {
            for (final Object o : (List<?>) value) {
                try {
                    final int port = Integer.parseInt(o.toString().strip());
                    if (port < 0 || port > 65535) {
                        throw new ConfigException(name, value, "port out of range 0..65535");
                    }
                } catch (final NumberFormatException e) {
                    throw new ConfigException(name, value, "not a port number: " + o);
                }
            }
        };
    }
}
