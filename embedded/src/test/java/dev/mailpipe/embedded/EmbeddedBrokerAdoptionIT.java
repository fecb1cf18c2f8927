package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launcher killed with SIGKILL leaves its broker running for the orphan grace; the next launcher
 * on the same data directory adopts it instead of a cold start, and nobody else can meanwhile.
 */
class EmbeddedBrokerAdoptionIT {

    @TempDir
    Path dataDir;

    private Process launcher;
    private long brokerPid;

    @AfterEach
    void killLeftovers() {
        if (launcher != null) {
            launcher.destroyForcibly();
        }
        ProcessHandle.of(brokerPid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void shouldAdoptTheBrokerOfAKilledLauncherKeepingItsDataAndRefuseASecondLauncher() throws Exception {
        startLauncher(Duration.ofSeconds(60));
        try (Admin admin = admin(bootstrap())) {
            admin.createTopics(List.of(new NewTopic("queued", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }

        launcher.destroyForcibly().onExit().get(30, TimeUnit.SECONDS);
        assertThat(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive)).as("the broker outlives its launcher")
                .contains(true);

        final EmbeddedBroker adopted = EmbeddedBroker.start(dataDir, 0, "256m", Duration.ofSeconds(20));
        ProcessHandle restarted = null;
        try {
            assertThat(adopted.adopted()).isTrue();
            assertThat(adopted.processHandle().pid()).as("the same broker, not a new one").isEqualTo(brokerPid);
            assertThat(adopted.isReady()).isTrue();
            try (Admin admin = admin(adopted.bootstrapServers())) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("queued");
            }
            assertThatThrownBy(() -> EmbeddedBroker.start(dataDir, 0, "256m", Duration.ofSeconds(20)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another ./mailpipe up is running on")
                    .hasMessageContaining(String.valueOf(brokerPid));
            assertThat(adopted.isReady()).as("the refused launcher did not disturb the holder").isTrue();

            // an adopted broker that dies is noticed at once (its control connection ends) and restarted
            ProcessHandle.of(brokerPid).orElseThrow().destroyForcibly();
            await("unready as soon as the adopted broker dies").atMost(Duration.ofSeconds(2))
                    .until(() -> !adopted.isReady());
            await("the supervisor starts a new broker").atMost(Duration.ofSeconds(120)).until(adopted::isReady);
            assertThat(adopted.restarts()).isEqualTo(1);
            assertThat(adopted.adopted()).as("the new broker is its own child").isFalse();
            restarted = adopted.processHandle();
            assertThat(restarted.pid()).isNotEqualTo(brokerPid);
            try (Admin admin = admin(adopted.bootstrapServers())) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("queued");
            }
        } finally {
            adopted.close();
        }
        assertThat(restarted.isAlive()).as("close stops the broker it runs").isFalse();
        assertThat(dataDir.resolve("kafka").resolve(BrokerControl.FILE)).as("removed by its controlled shutdown")
                .doesNotExist();
    }

    @Test
    void shouldStopAnAdoptedBrokerOnClose() throws Exception {
        startLauncher(Duration.ofSeconds(60));
        launcher.destroyForcibly().onExit().get(30, TimeUnit.SECONDS);

        try (EmbeddedBroker adopted = EmbeddedBroker.start(dataDir, 0, "256m", Duration.ofSeconds(20))) {
            assertThat(adopted.adopted()).isTrue();
        }

        await("close stops an adopted broker (SIGTERM: a controlled shutdown)").atMost(Duration.ofSeconds(40))
                .until(() -> ProcessHandle.of(brokerPid).map(p -> !p.isAlive()).orElse(true));
        assertThat(dataDir.resolve("kafka").resolve(BrokerControl.FILE)).doesNotExist();
    }

    @Test
    void shouldStopAnOrphanNobodyAdoptsWithinItsGraceAndStartAfreshAfterwards() throws Exception {
        startLauncher(Duration.ofSeconds(1));
        final ProcessHandle orphan = ProcessHandle.of(brokerPid).orElseThrow();

        launcher.destroyForcibly();

        await("the orphan shuts itself down").atMost(Duration.ofSeconds(60)).until(() -> !orphan.isAlive());
        assertThat(dataDir.resolve("kafka").resolve(BrokerControl.FILE)).doesNotExist();
        try (EmbeddedBroker fresh = EmbeddedBroker.start(dataDir, 0, "256m", Duration.ZERO)) {
            assertThat(fresh.adopted()).isFalse();
            assertThat(fresh.processHandle().pid()).isNotEqualTo(brokerPid);
            assertThat(fresh.isReady()).isTrue();
        }
    }

    private void startLauncher(final Duration grace) throws Exception {
        final String java = ProcessHandle.current().info().command().orElse("java");
        launcher = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                OrphaningLauncher.class.getName(), dataDir.toString(), Long.toString(grace.toMillis()))
                .redirectErrorStream(true).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        final StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null && !line.startsWith("ready ")) {
            seen.append(line).append('\n');
        }
        assertThat(line).as("the launcher started its broker; it printed:\n" + seen).isNotNull();
        brokerPid = Long.parseLong(line.substring("ready ".length()).strip());
        // keep draining so the launcher never blocks on a full pipe
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (final java.io.IOException killed) {
                // the launcher is gone
            }
        });
    }

    private String bootstrap() throws Exception {
        return Files.readString(dataDir.resolve(dev.mailpipe.platform.Cli.BOOTSTRAP_FILE)).strip();
    }

    private static Admin admin(final String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
