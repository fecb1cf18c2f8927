package dev.mailpipe.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one in-JVM KRaft cluster per test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
 * }</pre>
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private KafkaCluster cluster;

    @Override
    public void beforeAll(final ExtensionContext context) {
        cluster = KafkaCluster.start();
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** The running cluster; valid between beforeAll and afterAll. */
    public KafkaCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the Kafka cluster is not running (register the extension as static)");
        }
        return cluster;
    }

    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }
}
