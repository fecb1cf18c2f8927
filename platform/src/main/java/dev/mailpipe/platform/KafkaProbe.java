package dev.mailpipe.platform;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Asks the cluster for its nodes with a short timeout: the one question "can Kafka be reached
 * right now?" that shutdown paths (choose a short close timeout during an outage) and the ingest
 * submit gate (answer 451 at once) need. Thread-safe; one admin client for the probe's lifetime.
 */
public final class KafkaProbe implements AutoCloseable {

    private final Admin admin;
    private final Duration timeout;

    public KafkaProbe(final String bootstrapServers, final Duration timeout) {
        this.timeout = timeout;
        final int ms = (int) Math.max(100, timeout.toMillis());
        this.admin = Admin.create(KafkaDefaults.with(KafkaDefaults.admin(bootstrapServers), Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "mailpipe-kafka-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
                // an unreachable broker is retried quickly, so the probe notices when it is back
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000)));
    }

    /** True if a broker answered within the timeout. */
    public boolean reachable() {
        try {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS).isEmpty();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (final Exception e) {
            return false;
        }
    }

    /** One probe with a throw-away client, for a decision taken once (e.g. at shutdown). */
    public static boolean reachable(final String bootstrapServers, final Duration timeout) {
        try (KafkaProbe probe = new KafkaProbe(bootstrapServers, timeout)) {
            return probe.reachable();
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
