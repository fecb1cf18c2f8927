package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default supervises its broker: killed with SIGKILL, it comes back on its own, data kept. */
class EmbeddedBrokerIT {

    @TempDir
    Path dataDir;

    @Test
    void shouldRestartAKilledBrokerAndBeUnreadyMeanwhile() throws Exception {
        final EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, "512m");
        try {
            assertThat(broker.isReady()).isTrue();
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic("survives", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            final ProcessHandle first = broker.processHandle();
            first.destroyForcibly();
            first.onExit().get(30, TimeUnit.SECONDS);
            // the supervisor waits 1 s before a restart: unready must show well within that
            await("not ready while the broker is down").atMost(Duration.ofMillis(900)).until(() -> !broker.isReady());

            await("the supervisor restarts the broker").atMost(Duration.ofSeconds(120)).until(broker::isReady);
            assertThat(broker.restarts()).isEqualTo(1);
            assertThat(broker.processHandle().pid()).isNotEqualTo(first.pid());
            try (Admin admin = admin(broker)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("survives");
            }
        } finally {
            broker.close();
        }
        assertThat(broker.isReady()).isFalse();
        assertThat(broker.processHandle().isAlive()).as("close stops the supervised child for good").isFalse();
    }

    private static Admin admin(final EmbeddedBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
