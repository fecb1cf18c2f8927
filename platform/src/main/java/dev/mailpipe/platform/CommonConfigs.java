package dev.mailpipe.platform;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The settings several apps share, defined once (as Kafka's {@code CommonClientConfigs} does):
 * one name, one doc string, one validator. An app adds the groups it uses to its own
 * {@link ConfigDef}; only defaults that must differ per app (the ops port) are parameters.
 */
public final class CommonConfigs {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port...].";
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    public static final String KAFKA_SECURITY_PROTOCOL_CONFIG = "kafka.security.protocol";
    public static final String KAFKA_SECURITY_PROTOCOL_DOC =
            "How the Kafka clients connect: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (Kubernetes: SASL_SSL).";
    public static final String KAFKA_SASL_MECHANISM_CONFIG = "kafka.sasl.mechanism";
    public static final String KAFKA_SASL_MECHANISM_DOC = "SASL mechanism: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN.";
    public static final String KAFKA_SASL_USERNAME_CONFIG = "kafka.sasl.username";
    public static final String KAFKA_SASL_USERNAME_DOC = "SASL user (Kubernetes: the service's KafkaUser).";
    public static final String KAFKA_SASL_PASSWORD_CONFIG = "kafka.sasl.password";
    public static final String KAFKA_SASL_PASSWORD_DOC = "SASL password, when no password file is given.";
    public static final String KAFKA_SASL_PASSWORD_FILE_CONFIG = "kafka.sasl.password.file";
    public static final String KAFKA_SASL_PASSWORD_FILE_DOC =
            "File holding only the SASL password (Kubernetes: key password of the KafkaUser's secret, mounted).";
    public static final String KAFKA_SSL_TRUSTSTORE_FILE_CONFIG = "kafka.ssl.truststore.file";
    public static final String KAFKA_SSL_TRUSTSTORE_FILE_DOC = "The brokers' CA: PEM (Strimzi's ca.crt), or a .p12/.jks "
            + "trust store; empty = the JVM's default trust store.";
    public static final String KAFKA_SSL_TRUSTSTORE_PASSWORD_CONFIG = "kafka.ssl.truststore.password";
    public static final String KAFKA_SSL_TRUSTSTORE_PASSWORD_DOC = "Password of a .p12/.jks trust store.";

    public static final String KAFKA_COMPRESSION_CONFIG = "kafka.compression";
    public static final String KAFKA_COMPRESSION_DOC = "Compression of every record batch mailpipe produces: "
            + "none, lz4, snappy, zstd or gzip (bench/README.md, \"Producer compression\").";
    public static final String DEFAULT_KAFKA_COMPRESSION = "lz4";

    public static final String HTTP_HOST_CONFIG = "http.host";
    public static final String HTTP_HOST_DOC = "Bind address of the ops endpoints /metrics, /healthz, /readyz.";

    public static final String HTTP_PORT_CONFIG = "http.port";
    public static final String HTTP_PORT_DOC = "Port of the ops endpoints; 0 = any free port, -1 = no endpoints.";

    public static final String TOPIC_PARTITIONS_CONFIG = "topic.partitions";
    public static final String TOPIC_PARTITIONS_DOC = "Partitions of the topics this app creates when missing.";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "topic.replication.factor";
    public static final String TOPIC_REPLICATION_FACTOR_DOC =
            "Replication factor of the topics this app creates; -1 = the broker's default.replication.factor.";

    public static final String HOSTNAME_CONFIG = "hostname";
    public static final String HOSTNAME_DOC = "This installation's fully qualified host name, used everywhere a mail "
            + "server names itself: the SMTP banner, EHLO reply and Received header of ingest-smtp, the right-hand side "
            + "of the Message-IDs the expander makes, and the deliverer's EHLO. Empty = this machine's canonical name. "
            + "A name that is not a FQDN (e.g. localhost) costs points at receivers' spam filters (HELO_LOCALHOST, "
            + "FSL_HELO_NON_FQDN_1), so a service refuses it at start; ./mailpipe up only warns.";

    public static final String DATA_DIR_CONFIG = "data.dir";
    public static final String DATA_DIR_DOC = "Where the embedded broker keeps its log (queued mail survives a restart) "
            + "and the services keep local state.";
    public static final String DEFAULT_DATA_DIR = "data";

    public static final String MAX_MESSAGE_BYTES_CONFIG = "smtp.max.message.bytes";
    public static final String MAX_MESSAGE_BYTES_DOC = "Largest message accepted, advertised as SMTP SIZE; the Web API "
            + "applies it to a whole request (413 over it).";
    public static final String SENDER_DOMAINS_CONFIG = "sender.domains";
    public static final String SENDER_DOMAINS_DOC = "enforce: refuse (SMTP 550 5.7.1, Web API 403) an envelope sender or "
            + "From: domain not registered to the account with ./mailpipe domains add; any: let every sender through "
            + "(unsigned unless its domain has keys). The embedded default is any.";
    public static final String RATE_LIMIT_PER_MINUTE_CONFIG = "rate.limit.per.minute";
    public static final String RATE_LIMIT_PER_MINUTE_DOC = "Submissions per api_user per minute, SMTP (MAIL FROM) and "
            + "Web API calls together, across all replicas; over it: SMTP 536 Frequency limited, Web API 429. "
            + "0 = unlimited.";
    public static final String RATE_LIMIT_SYNC_MS_CONFIG = "rate.limit.sync.ms";
    public static final String RATE_LIMIT_SYNC_MS_DOC =
            "How often each replica publishes its per-account counts to the other replicas.";
    public static final String INSTANCE_ID_CONFIG = "instance.id";
    public static final String INSTANCE_ID_DOC =
            "Unique name of this replica, part of every messageId; empty = $HOSTNAME, else the host name.";

    private CommonConfigs() {
    }

    /**
     * What every entry point that takes mail in applies alike (SMTP ingest and the Web API): the
     * size limit, sender-domain authorisation, the shared per-account rate limit and the replica
     * name that makes messageIds unique.
     */
    public static ConfigDef defineSubmission(final ConfigDef def) {
        return def
                .define(MAX_MESSAGE_BYTES_CONFIG, Type.LONG, 16_000_000L, Range.between(1024, 16_000_000L),
                        Importance.MEDIUM, MAX_MESSAGE_BYTES_DOC)
                .define(SENDER_DOMAINS_CONFIG, Type.STRING, "enforce",
                        ConfigDef.CaseInsensitiveValidString.in("enforce", "any"), Importance.HIGH, SENDER_DOMAINS_DOC)
                .define(RATE_LIMIT_PER_MINUTE_CONFIG, Type.INT, 20_000, Range.atLeast(0), Importance.MEDIUM,
                        RATE_LIMIT_PER_MINUTE_DOC)
                .define(RATE_LIMIT_SYNC_MS_CONFIG, Type.INT, 1000, Range.between(50, 60_000), Importance.LOW,
                        RATE_LIMIT_SYNC_MS_DOC)
                .define(INSTANCE_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, INSTANCE_ID_DOC);
    }

    /** {@code instance.id}, else {@code $HOSTNAME} (a Kubernetes pod's name), else the host name. */
    public static String instanceId(final AbstractConfig config) {
        final String configured = config.getString(INSTANCE_ID_CONFIG).strip();
        if (!configured.isEmpty()) {
            return configured;
        }
        final String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return LocalHost.nameOr(config.values().containsKey(HOSTNAME_CONFIG) ? config.getString(HOSTNAME_CONFIG) : "");
    }

    /**
     * {@code bootstrap.servers}, required to be host:port (default localhost:9092), and the client
     * security settings every Kafka client applies ({@link KafkaSecurity}, through {@link KafkaDefaults}).
     */
    public static ConfigDef defineKafka(final ConfigDef def) {
        return def.define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, DEFAULT_BOOTSTRAP_SERVERS, Validators.hostPort(false),
                        Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
                .define(KAFKA_SECURITY_PROTOCOL_CONFIG, Type.STRING, "PLAINTEXT", ConfigDef.CaseInsensitiveValidString.in(
                        "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), Importance.MEDIUM, KAFKA_SECURITY_PROTOCOL_DOC)
                .define(KAFKA_SASL_MECHANISM_CONFIG, Type.STRING, "SCRAM-SHA-512", ConfigDef.CaseInsensitiveValidString.in(
                        "SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"), Importance.LOW, KAFKA_SASL_MECHANISM_DOC)
                .define(KAFKA_SASL_USERNAME_CONFIG, Type.STRING, "", Importance.MEDIUM, KAFKA_SASL_USERNAME_DOC)
                .define(KAFKA_SASL_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, KAFKA_SASL_PASSWORD_DOC)
                .define(KAFKA_SASL_PASSWORD_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, KAFKA_SASL_PASSWORD_FILE_DOC)
                .define(KAFKA_SSL_TRUSTSTORE_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, KAFKA_SSL_TRUSTSTORE_FILE_DOC)
                .define(KAFKA_SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.LOW,
                        KAFKA_SSL_TRUSTSTORE_PASSWORD_DOC)
                .define(KAFKA_COMPRESSION_CONFIG, Type.STRING, DEFAULT_KAFKA_COMPRESSION,
                        ConfigDef.CaseInsensitiveValidString.in(KafkaDefaults.COMPRESSIONS.toArray(String[]::new)),
                        Importance.LOW, KAFKA_COMPRESSION_DOC);
    }

    /** {@code http.host} and {@code http.port} of the ops endpoints, with this app's defaults. */
    public static ConfigDef defineHttp(final ConfigDef def, final String defaultHost, final int defaultPort) {
        return def
                .define(HTTP_HOST_CONFIG, Type.STRING, defaultHost, new ConfigDef.NonEmptyString(), Importance.LOW,
                        HTTP_HOST_DOC)
                .define(HTTP_PORT_CONFIG, Type.INT, defaultPort, Range.between(-1, 65535), Importance.LOW,
                        HTTP_PORT_DOC);
    }

    /** {@code topic.partitions} (6) and {@code topic.replication.factor} (-1) of topics an app creates. */
    public static ConfigDef defineTopics(final ConfigDef def) {
        return def
                .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                        TOPIC_PARTITIONS_DOC)
                .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.INT, -1, Range.between(-1, Short.MAX_VALUE),
                        Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC);
    }

    /** {@code hostname} (default empty: this machine's canonical name). */
    public static ConfigDef defineHostname(final ConfigDef def) {
        return def.define(HOSTNAME_CONFIG, Type.STRING, "", Importance.HIGH, HOSTNAME_DOC);
    }

    /** The configured host name, else this machine's canonical name (see {@link LocalHost}). */
    public static String hostname(final AbstractConfig config) {
        return LocalHost.nameOr(config.getString(HOSTNAME_CONFIG));
    }

    /** {@code data.dir} (default {@code data}, relative to the working directory). */
    public static ConfigDef defineDataDir(final ConfigDef def) {
        return def.define(DATA_DIR_CONFIG, Type.STRING, DEFAULT_DATA_DIR, new ConfigDef.NonEmptyString(),
                Importance.HIGH, DATA_DIR_DOC);
    }
}
