package dev.mailpipe.expander;

import dev.mailpipe.core.tracking.TokenKeys;
import dev.mailpipe.core.tracking.TrackingTokens;
import dev.mailpipe.expander.tracking.Tracker;
import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.TrackingKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
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

    public static final String HOSTNAME = CommonConfigs.HOSTNAME_CONFIG;

    public static final String START_TIMEOUT_MS = "expander.start.timeout.ms";
    private static final String START_TIMEOUT_MS_DOC = "How long start() waits for the Streams app to reach RUNNING.";

    public static final String INSTANCE_ID = "instance.id";
    private static final String INSTANCE_ID_DOC = "Stable name of this instance (empty: the host name); with static "
            + "membership the group.instance.id is <instance.id>-expander, so a restarted instance gets its tasks back "
            + "at once instead of after a session timeout. Must differ between instances.";

    public static final String STATIC_MEMBERSHIP = "expander.static.membership";
    private static final String STATIC_MEMBERSHIP_DOC = "Join the consumer group as a static member (group.instance.id).";

    public static final String PUBLIC_URL = TrackingKeys.PUBLIC_URL_CONFIG;
    public static final String TRACKING_SECRET = TrackingKeys.TRACKING_SECRET_CONFIG;

    public static final String TRACKING_PLAIN_TEXT_LINKS = "expander.tracking.plain.text.links";
    private static final String TRACKING_PLAIN_TEXT_LINKS_DOC =
            "With click tracking: also rewrite http/https links in text/plain parts (HTML links always).";

    public static final String LIST_SUBMISSIONS_PER_SECOND = "expander.list.submissions.per.second";
    private static final String LIST_SUBMISSIONS_PER_SECOND_DOC = "How fast a send to an address list goes out: "
            + "submissions of up to 100 members queued per second and partition of mail.list-tasks (100 = 10,000 "
            + "members a second), so a large list does not crowd out other mail.";
    public static final String UNSUBSCRIBE_FOOTER_TEXT = "unsubscribe.footer.text";
    private static final String UNSUBSCRIBE_FOOTER_TEXT_DOC = "Text of the unsubscribe footer that subscription "
            + "tracking appends to HTML parts (as the link) and text parts (before the URL) when the email has no "
            + "%unsubscribe_url%.";
    static final String DEFAULT_FOOTER_TEXT = "Unsubscribe from these emails";

    /** The web service's port, read only for the default of {@value #PUBLIC_URL} (its own default: 8080). */
    static final String WEB_PORT = "web.port";

    /** Prefix of keys passed through to Kafka Streams without the prefix. */
    public static final String STREAMS_PREFIX = "expander.streams.";

    static final String DEFAULT_STATE_DIR =
            Path.of(System.getProperty("java.io.tmpdir"), "mailpipe-expander").toString();

    private static final ConfigDef CONFIG = CommonConfigs.defineHostname(CommonConfigs.defineTopics(CommonConfigs.defineHttp(
                    CommonConfigs.defineKafka(new ConfigDef()), "0.0.0.0", 8082)))
            .define(APPLICATION_ID, Type.STRING, "mailpipe-expander", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, APPLICATION_ID_DOC)
            .define(STATE_DIR, Type.STRING, DEFAULT_STATE_DIR, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, STATE_DIR_DOC)
            .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                    Importance.MEDIUM, PROCESSING_GUARANTEE_DOC)
            .define(THREADS, Type.INT, 1, ConfigDef.Range.between(1, 64), Importance.MEDIUM, THREADS_DOC)
            .define(START_TIMEOUT_MS, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    START_TIMEOUT_MS_DOC)
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM, INSTANCE_ID_DOC)
            .define(STATIC_MEMBERSHIP, Type.BOOLEAN, true, Importance.LOW, STATIC_MEMBERSHIP_DOC)
            .define(TRACKING_PLAIN_TEXT_LINKS, Type.BOOLEAN, true, Importance.LOW, TRACKING_PLAIN_TEXT_LINKS_DOC)
            .define(LIST_SUBMISSIONS_PER_SECOND, Type.INT, 100, ConfigDef.Range.between(1, 10_000), Importance.LOW,
                    LIST_SUBMISSIONS_PER_SECOND_DOC)
            .define(UNSUBSCRIBE_FOOTER_TEXT, Type.STRING, DEFAULT_FOOTER_TEXT, new ConfigDef.NonEmptyString(),
                    Importance.LOW, UNSUBSCRIBE_FOOTER_TEXT_DOC);

    static {
        TrackingKeys.define(CONFIG);
    }

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

    public int listSubmissionsPerSecond() {
        return getInt(LIST_SUBMISSIONS_PER_SECOND);
    }

    public int threads() {
        return getInt(THREADS);
    }

    /** MAILPIPE_HOSTNAME (else this machine's name): the right-hand side of the Message-IDs it makes. */
    public String hostname() {
        return CommonConfigs.hostname(this);
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

    /**
     * The tracking rewrite the settings stand for; empty when {@value #TRACKING_SECRET} is not set
     * (nothing could verify the links, so filters are then only carried on the records).
     *
     * @throws ConfigException for a malformed secret or public URL, naming the variable
     */
    public java.util.Optional<Tracker> tracker() {
        final Password secret = getPassword(TRACKING_SECRET);
        if (secret == null || secret.value().isBlank()) {
            return java.util.Optional.empty();
        }
        final TokenKeys keys;
        try {
            keys = TokenKeys.parse(secret.value());
        } catch (final IllegalArgumentException e) {
            throw new ConfigException("invalid configuration " + TRACKING_SECRET + " (environment variable "
                    + EnvConfig.variableOf(TRACKING_SECRET) + "): " + e.getMessage());
        }
        return java.util.Optional.of(new Tracker(publicUrl(), new TrackingTokens(keys),
                getBoolean(TRACKING_PLAIN_TEXT_LINKS), getString(UNSUBSCRIBE_FOOTER_TEXT).strip()));
    }

    /** {@value #PUBLIC_URL}, else {@code http://127.0.0.1:<web.port or 8080>}: where the web service answers. */
    public String publicUrl() {
        final String configured = getString(PUBLIC_URL);
        final String url = configured == null || configured.isBlank()
                ? "http://127.0.0.1:" + String.valueOf(originals().getOrDefault(WEB_PORT, "8080")).strip()
                : configured.strip();
        final java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (final java.net.URISyntaxException e) {
            throw new ConfigException("invalid configuration " + PUBLIC_URL + " (environment variable "
                    + EnvConfig.variableOf(PUBLIC_URL) + "): " + e.getMessage());
        }
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException("invalid configuration " + PUBLIC_URL + " (environment variable "
                    + EnvConfig.variableOf(PUBLIC_URL) + "): must be an http or https URL without query or fragment: "
                    + url);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Kafka Streams overrides given as {@code expander.streams.<streams key>}, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return originalsWithPrefix(STREAMS_PREFIX, true);
    }
}
