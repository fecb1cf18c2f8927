package dev.mailpipe.deliverer;

import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.Cidr;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.LocalHost;
import dev.mailpipe.platform.Validators;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the mx-deliverer. Keys map to environment variables by {@link EnvConfig}:
 * {@code mx.port} is {@code MAILPIPE_MX_PORT}. Unknown keys (other apps' settings) are ignored.
 */
public final class MxDelivererConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = CommonConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String HTTP_HOST = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_PORT = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String TOPIC_PARTITIONS = CommonConfigs.TOPIC_PARTITIONS_CONFIG;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfigs.TOPIC_REPLICATION_FACTOR_CONFIG;

    public static final String DNS = "dns";
    private static final String DNS_DOC = "DNS resolvers host:port[,host:port] for MX and address lookups "
            + "(empty: the system's, from /etc/resolv.conf).";
    public static final String DNS_TIMEOUT_MS = "dns.timeout.ms";
    private static final String DNS_TIMEOUT_MS_DOC = "Timeout of one DNS query; a timeout defers the email.";
    public static final String MX_PORT = "mx.port";
    private static final String MX_PORT_DOC = "TCP port of the MX hosts (MX records carry no port; 25 on the internet).";
    public static final String MX_ALLOWED_NETWORKS = "mx.allowed.networks";
    private static final String MX_ALLOWED_NETWORKS_DOC = "CIDR list of otherwise refused targets (loopback, "
            + "private, link-local) that may be delivered to, e.g. 127.0.0.0/8 for tests.";
    public static final String HOSTNAME = CommonConfigs.HOSTNAME_CONFIG;
    public static final String MX_TLS = "mx.starttls";
    /** MAILPIPE_KEYS_SECRET: opens the DKIM private keys in mail.domains (sealed by ./mailpipe domains). */
    public static final String KEYS_SECRET = "keys.secret";
    private static final String KEYS_SECRET_DOC = "Secret (at least 16 characters) under which ./mailpipe domains sealed the"
            + " DKIM private keys; empty = mail goes out unsigned. The embedded default keeps one in <data dir>/keys-secret.";
    private static final String MX_TLS_DOC = "Use STARTTLS when the MX offers it (opportunistic, certificates not verified).";
    public static final String MX_TIMEOUT_CONNECT_MS = "mx.timeout.connect.ms";
    private static final String MX_TIMEOUT_CONNECT_MS_DOC = "TCP connect timeout per MX address.";
    public static final String MX_TIMEOUT_GREETING_MS = "mx.timeout.greeting.ms";
    private static final String MX_TIMEOUT_GREETING_MS_DOC = "Wait for the 220 greeting (RFC 5321 4.5.3.2.1: 5 min).";
    public static final String MX_TIMEOUT_COMMAND_MS = "mx.timeout.command.ms";
    private static final String MX_TIMEOUT_COMMAND_MS_DOC = "Wait for replies to EHLO, STARTTLS, MAIL, RCPT, RSET "
            + "(RFC 5321 4.5.3.2.2-3: 5 min).";
    public static final String MX_TIMEOUT_DATA_INIT_MS = "mx.timeout.data.init.ms";
    private static final String MX_TIMEOUT_DATA_INIT_MS_DOC = "Wait for the 354 reply to DATA (RFC 5321 4.5.3.2.4: 2 min).";
    public static final String MX_TIMEOUT_DATA_BLOCK_MS = "mx.timeout.data.block.ms";
    private static final String MX_TIMEOUT_DATA_BLOCK_MS_DOC = "Longest a single write of message data may block "
            + "(RFC 5321 4.5.3.2.5: 3 min).";
    public static final String MX_TIMEOUT_DATA_END_MS = "mx.timeout.data.end.ms";
    private static final String MX_TIMEOUT_DATA_END_MS_DOC = "Wait for the reply to the final dot "
            + "(RFC 5321 4.5.3.2.6: 10 min).";
    public static final String MX_CONNECTION_MAX_MESSAGES = "mx.connection.max.messages";
    private static final String MX_CONNECTION_MAX_MESSAGES_DOC = "Messages sent over one SMTP connection before it is closed.";
    public static final String MX_CONNECTION_IDLE_MS = "mx.connection.idle.ms";
    private static final String MX_CONNECTION_IDLE_MS_DOC = "An idle cached SMTP connection is closed (QUIT) after this long.";
    public static final String MX_DESTINATION_CONCURRENCY = "mx.destination.concurrency";
    private static final String MX_DESTINATION_CONCURRENCY_DOC = "Concurrent deliveries (and so connections) "
            + "per recipient domain and per instance.";
    public static final String GROUP_ID = "deliverer.group.id";
    private static final String GROUP_ID_DOC = "Kafka consumer group of the deliverer instances.";
    public static final String INSTANCE_ID = "instance.id";
    private static final String INSTANCE_ID_DOC = "Stable name of this instance (empty: the host name); with static "
            + "membership the consumer's group.instance.id is <instance.id>-mx-deliverer, so a restarted instance gets "
            + "its partitions back at once instead of after a session timeout. Must differ between instances.";
    public static final String STATIC_MEMBERSHIP = "deliverer.static.membership";
    private static final String STATIC_MEMBERSHIP_DOC = "Join the consumer group as a static member (group.instance.id).";
    public static final String MAX_IN_FLIGHT = "deliverer.max.in.flight";
    private static final String MAX_IN_FLIGHT_DOC = "Deliveries in progress per instance before it stops fetching.";
    public static final String SESSION_TIMEOUT_MS = "deliverer.session.timeout.ms";
    private static final String SESSION_TIMEOUT_MS_DOC = "Consumer group session timeout: how soon partitions of a "
            + "crashed instance move to the others.";
    public static final String SHUTDOWN_GRACE_MS = "deliverer.shutdown.grace.ms";
    private static final String SHUTDOWN_GRACE_MS_DOC = "On shutdown or partition revocation, how long in-flight "
            + "deliveries may finish before they are handed back (redelivered by the next owner).";
    public static final String RETRY_DELAYS = "retry.delays";
    private static final String RETRY_DELAYS_DOC = "Delays of the retry stages, e.g. 5m,30m,2h,6h; stage i is topic "
            + "mail.outbound.retry-<delay i>; attempts beyond the last stage reuse it.";
    public static final String RETRY_MAX_AGE = "retry.max.age";
    private static final String RETRY_MAX_AGE_DOC = "Time after the first attempt after which a deferred email "
            + "expires (bounce event with reason expired, record on mail.outbound.dlt).";

    public static final ConfigDef CONFIG_DEF = CommonConfigs.defineHostname(CommonConfigs.defineTopics(CommonConfigs.defineHttp(
                    CommonConfigs.defineKafka(new ConfigDef()), "0.0.0.0", 8083)))
            .define(DNS, Type.STRING, "", Validators.hostPort(true), Importance.HIGH, DNS_DOC)
            .define(DNS_TIMEOUT_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(1), Importance.LOW, DNS_TIMEOUT_MS_DOC)
            .define(MX_PORT, Type.INT, 25, ConfigDef.Range.between(1, 65535), Importance.HIGH, MX_PORT_DOC)
            .define(MX_ALLOWED_NETWORKS, Type.LIST, "", cidrList(), Importance.MEDIUM, MX_ALLOWED_NETWORKS_DOC)
            .define(MX_TLS, Type.BOOLEAN, true, Importance.LOW, MX_TLS_DOC)
            .define(KEYS_SECRET, Type.PASSWORD, "", (name, value) -> {
                final String v = value == null ? "" : ((org.apache.kafka.common.config.types.Password) value).value();
                if (!v.isBlank() && v.strip().length() < dev.mailpipe.core.dkim.KeySealer.MIN_SECRET_LENGTH) {
                    throw new org.apache.kafka.common.config.ConfigException(name, "(hidden)",
                            "must have at least " + dev.mailpipe.core.dkim.KeySealer.MIN_SECRET_LENGTH + " characters");
                }
            }, Importance.HIGH, KEYS_SECRET_DOC)
            .define(MX_TIMEOUT_CONNECT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_TIMEOUT_CONNECT_MS_DOC)
            .define(MX_TIMEOUT_GREETING_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_TIMEOUT_GREETING_MS_DOC)
            .define(MX_TIMEOUT_COMMAND_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_TIMEOUT_COMMAND_MS_DOC)
            .define(MX_TIMEOUT_DATA_INIT_MS, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_TIMEOUT_DATA_INIT_MS_DOC)
            .define(MX_TIMEOUT_DATA_BLOCK_MS, Type.LONG, 180_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_TIMEOUT_DATA_BLOCK_MS_DOC)
            .define(MX_TIMEOUT_DATA_END_MS, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_TIMEOUT_DATA_END_MS_DOC)
            .define(MX_CONNECTION_MAX_MESSAGES, Type.INT, 100, ConfigDef.Range.atLeast(1), Importance.LOW,
                    MX_CONNECTION_MAX_MESSAGES_DOC)
            .define(MX_CONNECTION_IDLE_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    MX_CONNECTION_IDLE_MS_DOC)
            .define(MX_DESTINATION_CONCURRENCY, Type.INT, 20, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    MX_DESTINATION_CONCURRENCY_DOC)
            .define(GROUP_ID, Type.STRING, "mailpipe-mx-deliverer", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    GROUP_ID_DOC)
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM, INSTANCE_ID_DOC)
            .define(STATIC_MEMBERSHIP, Type.BOOLEAN, true, Importance.LOW, STATIC_MEMBERSHIP_DOC)
            .define(MAX_IN_FLIGHT, Type.INT, 512, ConfigDef.Range.atLeast(1), Importance.MEDIUM, MAX_IN_FLIGHT_DOC)
            .define(SESSION_TIMEOUT_MS, Type.INT, 45_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    SESSION_TIMEOUT_MS_DOC)
            .define(SHUTDOWN_GRACE_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    SHUTDOWN_GRACE_MS_DOC)
            .define(RETRY_DELAYS, Type.LIST, "5m,30m,2h,6h", durationList(), Importance.MEDIUM, RETRY_DELAYS_DOC)
            .define(RETRY_MAX_AGE, Type.STRING, "5d", Validators.duration(), Importance.MEDIUM, RETRY_MAX_AGE_DOC);

    public MxDelivererConfig(final Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
    }

    /** Reads the environment; an invalid value fails with a message naming its variable. */
    public static MxDelivererConfig fromEnvironment(final Map<String, String> env) {
        return EnvConfig.load(env, MxDelivererConfig::new);
    }

    /** Registers these settings for config-docs and the unknown-variable warning (META-INF/services). */
    public static final class Definition implements AppConfigDef {
        @Override
        public String name() {
            return "mx-deliverer";
        }

        @Override
        public ConfigDef configDef() {
            return CONFIG_DEF;
        }
    }

    public List<Cidr> allowedNetworks() {
        return getList(MX_ALLOWED_NETWORKS).stream().map(String::strip).filter(s -> !s.isEmpty()).map(Cidr::parse)
                .toList();
    }

    public List<Duration> retryDelays() {
        return getList(RETRY_DELAYS).stream().map(String::strip).map(Durations::parse).toList();
    }

    public Duration retryMaxAge() {
        return Durations.parse(getString(RETRY_MAX_AGE).strip());
    }

    public Duration millis(final String key) {
        return Duration.ofMillis(getLong(key));
    }

    /** The consumer's group.instance.id, or empty when static membership is off. */
    public java.util.Optional<String> groupInstanceId() {
        if (!getBoolean(STATIC_MEMBERSHIP)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(LocalHost.nameOr(getString(INSTANCE_ID)) + "-mx-deliverer");
    }

    /** The name sent in EHLO/HELO: MAILPIPE_HOSTNAME, or this host's canonical name. */
    public String ehloName() {
        return CommonConfigs.hostname(this);
    }

    private static ConfigDef.Validator cidrList() {
        return (name, value) -> {
            for (final Object one : (List<?>) value) {
                final String s = one.toString().strip();
                if (s.isEmpty()) {
                    continue;
                }
                try {
                    Cidr.parse(s);
                } catch (final IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }
        };
    }

    private static ConfigDef.Validator durationList() {
        return (name, value) -> {
            final List<?> list = (List<?>) value;
            if (list.isEmpty()) {
                throw new ConfigException(name, value, "at least one retry delay is needed");
            }
            for (final Object one : list) {
                try {
                    if (Durations.parse(one.toString().strip()).isZero()) {
                        throw new ConfigException(name, value, "a retry delay must be positive");
                    }
                } catch (final IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }
        };
    }
}
