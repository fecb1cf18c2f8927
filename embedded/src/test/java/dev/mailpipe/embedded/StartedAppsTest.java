package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.platform.MailpipeApp;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class StartedAppsTest {

    private final List<String> closed = new CopyOnWriteArrayList<>();

    @Test
    void shouldStartServicesSideBySide() {
        final StartedApps started = new StartedApps();
        final CountDownLatch both = new CountDownLatch(2);
        // each start waits for the other: they can only both finish when they run at the same time
        final CompletableFuture<App> a = started.start("a", name -> app(name, both));
        final CompletableFuture<App> b = started.start("b", name -> app(name, both));

        assertThat(StartedApps.await(a).name()).isEqualTo("a");
        assertThat(StartedApps.await(b).name()).isEqualTo("b");
        started.done();
        assertThat(closed).isEmpty();
    }

    @Test
    void shouldStopTheServicesThatStartedWhenAnotherFailsAndReportItsOwnException() {
        final StartedApps started = new StartedApps();
        final CompletableFuture<App> ingest = started.start("ingest-smtp", name -> app(name, null));
        final CompletableFuture<App> web = started.start("web", name -> {
            throw new ConfigException("web.port", 80, "taken");
        });
        final CompletableFuture<App> deliverer = started.start("mx-deliverer", name -> app(name, null));

        StartedApps.await(ingest);
        assertThatThrownBy(() -> StartedApps.await(web)).isInstanceOf(ConfigException.class).hasMessageContaining("taken");
        started.stopStarted();

        assertThat(deliverer).isDone();
        assertThat(closed).containsExactly("mx-deliverer", "ingest-smtp");
    }

    private App app(final String name, final CountDownLatch rendezvous) {
        if (rendezvous != null) {
            rendezvous.countDown();
            try {
                if (!rendezvous.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other start never ran alongside");
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return new App(name, closed);
    }

    private record App(String name, List<String> closed) implements MailpipeApp {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void close() {
            closed.add(name);
        }
    }
}
