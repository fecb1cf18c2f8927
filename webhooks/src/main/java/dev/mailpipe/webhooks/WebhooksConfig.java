package dev.mailpipe.webhooks;

import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.platform.Validators;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.webhooks.core.NetworkPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the webhooks service. Keys map to environment variables by {@link EnvConfig}:
 * {@code webhook.timeout} is {@code MAILPIPE_WEBHOOK_TIMEOUT}. Unknown keys are ignored.
 */
public final class WebhooksConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = CommonConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String HTTP_HOST = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_PORT = CommonConfigs.HTTP_PORT_CONFIG;
    public static final String TOPIC_PARTITIONS = CommonConfigs.TOPIC_PARTITIONS_CONFIG;
    public static final String TOPIC_REPLICATION_FACTOR = CommonConfigs.TOPIC_REPLICATION_FACTOR_CONFIG;

    public static final String GROUP_ID = "webhook.group.id";
    private static final String GROUP_ID_DOC = "Kafka consumer group of the webhooks instances.";
    public static final String RETRY_DELAYS = "webhook.retry.delays";
    private static final String RETRY_DELAYS_DOC = "Waits before each retry of a failed post (SendCloud: 7 retries "
            + "from 3 minutes to 24 hours); step i waits in topic mail.webhooks.retry-<delay i>; after the last "
            + "the event goes to mail.webhooks.dlt.";
    public static final String TIMEOUT = "webhook.timeout";
    private static final String TIMEOUT_DOC = "Time a receiver has to answer a post (connect to last byte of the "
            + "status line); later counts as a failure and is retried.";
    public static final String ALLOWED_NETWORKS = "webhook.allowed.networks";
    private static final String ALLOWED_NETWORKS_DOC = "CIDR list of otherwise refused addresses (loopback, private, "
            + "link-local, unique-local, CGNAT, multicast) a webhook URL may resolve to, e.g. 10.0.0.0/8 for a "
            + "receiver inside the cluster. Checked on every resolved address at every post.";
    public static final String ENDPOINT_CONCURRENCY = "webhook.endpoint.concurrency";
    private static final String ENDPOINT_CONCURRENCY_DOC = "Posts in progress per endpoint and per instance.";
    public static final String ENDPOINT_QUEUE = "webhook.endpoint.queue";
    private static final String ENDPOINT_QUEUE_DOC = "Events waiting for one endpoint: beyond it a slow or failing "
            + "endpoint's events wait in its first retry stage without using an attempt (so it never holds the others "
            + "back), while a fast endpoint's backlog pauses reading instead.";
    public static final String CIRCUIT_FAILURES = "webhook.circuit.failures";
    private static final String CIRCUIT_FAILURES_DOC = "Consecutive failed posts that open an endpoint's circuit: "
            + "while open its events go to the retry topics without a connection attempt.";
    public static final String CIRCUIT_OPEN = "webhook.circuit.open";
    private static final String CIRCUIT_OPEN_DOC = "How long an open circuit stays open before one trial post.";
    public static final String BATCH_SIZE = "webhook.batch.size";
    private static final String BATCH_SIZE_DOC = "Most events in one POST to a json_batch endpoint.";
    public static final String MAX_IN_FLIGHT = "webhook.max.in.flight";
    private static final String MAX_IN_FLIGHT_DOC = "Records read but not yet settled per instance before it stops fetching.";
    public static final String SHUTDOWN_GRACE = "webhook.shutdown.grace";
    private static final String SHUTDOWN_GRACE_DOC = "On shutdown or partition revocation, how long posts in "
            + "progress may finish before their records are handed back (posted again by the next owner).";

    public static final String DEFAULT_RETRY_DELAYS = "3m,10m,30m,1h,2h,6h,24h";

    public static final ConfigDef CONFIG_DEF = CommonConfigs.defineTopics(CommonConfigs.defineHttp(
                    CommonConfigs.defineKafka(new ConfigDef()), "0.0.0.0", 8084))
            .define(GROUP_ID, Type.STRING, "mailpipe-webhooks", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    GROUP_ID_DOC)
            .define(RETRY_DELAYS, Type.LIST, DEFAULT_RETRY_DELAYS, durationList(), Importance.MEDIUM, RETRY_DELAYS_DOC)
            .define(TIMEOUT, Type.STRING, "3s", positiveDuration(), Importance.MEDIUM, TIMEOUT_DOC)
            .define(ALLOWED_NETWORKS, Type.LIST, "", cidrList(), Importance.MEDIUM, ALLOWED_NETWORKS_DOC)
            .define(ENDPOINT_CONCURRENCY, Type.INT, 8, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    ENDPOINT_CONCURRENCY_DOC)
            .define(ENDPOINT_QUEUE, Type.INT, 1_000, ConfigDef.Range.atLeast(1), Importance.LOW, ENDPOINT_QUEUE_DOC)
            .define(CIRCUIT_FAILURES, Type.INT, 5, ConfigDef.Range.atLeast(1), Importance.LOW, CIRCUIT_FAILURES_DOC)
            .define(CIRCUIT_OPEN, Type.STRING, "30s", positiveDuration(), Importance.LOW, CIRCUIT_OPEN_DOC)
            .define(BATCH_SIZE, Type.INT, 100, ConfigDef.Range.between(1, 10_000), Importance.LOW, BATCH_SIZE_DOC)
            .define(MAX_IN_FLIGHT, Type.INT, 5_000, ConfigDef.Range.atLeast(1), Importance.LOW, MAX_IN_FLIGHT_DOC)
            .define(SHUTDOWN_GRACE, Type.STRING, "10s", Validators.duration(), Importance.LOW, SHUTDOWN_GRACE_DOC);

    public WebhooksConfig(final Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
    }

    /** Reads the environment; an invalid value fails with a message naming its variable. */
    public static WebhooksConfig fromEnvironment(final Map<String, String> env) {
        return EnvConfig.load(env, WebhooksConfig::new);
    }

    /** Registers these settings for config-docs and the unknown-variable warning (META-INF/services). */
    public static final class Definition implements AppConfigDef {
        @Override
        public String name() {
            return "webhooks";
        }

        @Override
        public ConfigDef configDef() {
            return CONFIG_DEF;
        }
    }

    public RetrySchedule retrySchedule() {
        return new RetrySchedule(getList(RETRY_DELAYS).stream().map(Durations::parse).toList());
    }

    public Duration duration(final String key) {
        return Durations.parse(getString(key).strip());
    }

    public NetworkPolicy networkPolicy() {
        return NetworkPolicy.allowing(getList(ALLOWED_NETWORKS).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList());
    }

    private static ConfigDef.Validator cidrList() {
        return (name, value) -> {
            try {
                NetworkPolicy.allowing(((List<?>) value).stream().map(o -> o.toString().strip())
                        .filter(s -> !s.isEmpty()).toList());
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
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
                positiveDuration().ensureValid(name, one.toString());
            }
        };
    }

    private static ConfigDef.Validator positiveDuration() {
        return (name, value) -> {
            try {
                if (Durations.parse(value.toString().strip()).isZero()) {
                    throw new ConfigException(name, value, "must be positive");
                }
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }
}
