package dev.mailpipe.embedded;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A launcher for {@link EmbeddedBrokerAdoptionIT} to kill: starts the embedded broker with an
 * orphan grace, prints {@code ready <broker pid>} and waits to be killed.
 */
public final class OrphaningLauncher {

    private OrphaningLauncher() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final EmbeddedBroker broker = EmbeddedBroker.start(Path.of(args[0]), 0, "256m",
                Duration.ofMillis(Long.parseLong(args[1])));
        System.out.println("ready " + broker.processHandle().pid());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
