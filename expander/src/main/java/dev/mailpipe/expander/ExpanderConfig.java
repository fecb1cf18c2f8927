package dev.mailpipe.expander;

import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.EnvConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Typed configuration of the expander. Keys shared with the other apps keep their shared names;
 * the expander's own keys start with {@code expander.}. Keys starting with
 * {@value #STREAMS_PREFIX} pass straight to Kafka Streams (e.g.
 * {@code expander.streams.consumer.session.timeout.ms}); everything else unknown is ignored,
 * because all apps share one environment in the embedded mode.
 */
public final class ExpanderConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = CommonConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String HTTP_HOST = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_PORT = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String TOPIC_PARTITIONS = CommonConfigs.TOPIC_PARTITIONS_CONFIG;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfigs.TOPIC_REPLICATION_FACTOR_CONFIG;

    public static final String APPLICATION_ID = "expander.application.id";
    private static final String APPLICATION_ID_DOC =
            "Kafka Streams application.id: consumer group, transactional ids and internal topic prefix. "
                    + "Every replica of one expander deployment uses the same value.";

    public static final String STATE_DIR = "expander.state.dir";
    private static final String STATE_DIR_DOC =
            "Kafka Streams state directory. Instances in one JVM (tests, embedded mode) need distinct directories.";

    public static final String PROCESSING_GUARANTEE = "expander.processing.guarantee";
    private static final String PROCESSING_GUARANTEE_DOC =
            "exactly_once_v2 (default: a crash or rebalance neither loses nor duplicates an email) or at_least_once.";

    public static final String THREADS = "expander.threads";
    private static final String THREADS_DOC = "Stream threads in this instance.";

    public static final String MESSAGE_ID_DOMAIN = "expander.message.id.domain";
    private static final String MESSAGE_ID_DOMAIN_DOC =
            "Right-hand side of the Message-ID each email gets; empty = the envelope sender's domain.";

    public static final String START_TIMEOUT_MS = "expander.start.timeout.ms";
    private static final String START_TIMEOUT_MS_DOC = "How long start() waits for the Streams app to reach RUNNING.";

    public static final String INSTANCE_ID = "instance.id";
    private static final String INSTANCE_ID_DOC = "Stable name of this instance (empty: the host name); with static "
            + "membership the group.instance.id is <instance.id>-expander, so a restarted instance gets its tasks back "
            + "at once instead of after a session timeout. Must differ between instances.";

    public static final String STATIC_MEMBERSHIP = "expander.static.membership";
    private static final String STATIC_MEMBERSHIP_DOC = "Join the consumer group as a static member (group.instance.id).";

    /** Prefix of keys passed through to Kafka Streams without the prefix. */
    public static final String STREAMS_PREFIX = "expander.streams.";

    static final String DEFAULT_STATE_DIR =
            Path.of(System.getProperty("java.io.tmpdir"), "mailpipe-expander").toString();

    private static final ConfigDef CONFIG = CommonConfigs.defineTopics(CommonConfigs.defineHttp(
                    CommonConfigs.defineKafka(new ConfigDef()), "0.0.0.0", 8082))
            .define(APPLICATION_ID, Type.STRING, "mailpipe-expander", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, APPLICATION_ID_DOC)
            .define(STATE_DIR, Type.STRING, DEFAULT_STATE_DIR, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, STATE_DIR_DOC)
            .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                    Importance.MEDIUM, PROCESSING_GUARANTEE_DOC)
            .define(THREADS, Type.INT, 1, ConfigDef.Range.between(1, 64), Importance.MEDIUM, THREADS_DOC)
            .define(MESSAGE_ID_DOMAIN, Type.STRING, "", Importance.LOW, MESSAGE_ID_DOMAIN_DOC)
            .define(START_TIMEOUT_MS, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    START_TIMEOUT_MS_DOC)
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM, INSTANCE_ID_DOC)
            .define(STATIC_MEMBERSHIP, Type.BOOLEAN, true, Importance.LOW, STATIC_MEMBERSHIP_DOC);

    public ExpanderConfig(final Map<String, ?> values) {
        super(CONFIG, values, false);
    }

    /**
     * Reads the config from environment variables (and {@code MAILPIPE_CONFIG_FILE}).
     *
     * @throws ConfigException naming the environment variable of the first invalid value
     */
    public static ExpanderConfig fromEnvironment(final Map<String, String> env) {
        return EnvConfig.load(env, ExpanderConfig::new);
    }

    /** Registers these settings for config-docs and the unknown-variable warning (META-INF/services). */
    public static final class Definition implements AppConfigDef {
        @Override
        public String name() {
            return "expander";
        }

        @Override
        public ConfigDef configDef() {
            return CONFIG;
        }

        @Override
        public List<String> passThroughPrefixes() {
            return List.of(STREAMS_PREFIX);
        }
    }

    /** The documented keys, for generated docs. */
    public static ConfigDef configDef() {
        return CONFIG;
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS);
    }

    public String httpHost() {
        return getString(HTTP_HOST);
    }

    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    public int topicPartitions() {
        return getInt(TOPIC_PARTITIONS);
    }

    public int topicReplicationFactor() {
        return getInt(TOPIC_REPLICATION_FACTOR);
    }

    public String applicationId() {
        return getString(APPLICATION_ID);
    }

    public String stateDir() {
        return getString(STATE_DIR);
    }

    public String processingGuarantee() {
        return getString(PROCESSING_GUARANTEE);
    }

    public int threads() {
        return getInt(THREADS);
    }

    public String messageIdDomain() {
        return getString(MESSAGE_ID_DOMAIN).strip();
    }

    public long startTimeoutMs() {
        return getLong(START_TIMEOUT_MS);
    }

    /** The group.instance.id of the Streams consumers (Streams appends the thread), or empty when static membership is off. */
    public java.util.Optional<String> groupInstanceId() {
        if (!getBoolean(STATIC_MEMBERSHIP)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(dev.mailpipe.platform.LocalHost.nameOr(getString(INSTANCE_ID)) + "-expander");
    }

    /** Kafka Streams overrides given as {@code expander.streams.<streams key>}, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return originalsWithPrefix(STREAMS_PREFIX, true);
    }
}
