package dev.mailpipe.embedded;

import java.io.IOException;

/**
 * Entry point of the broker child process: runs {@code kafka.Kafka} and exits as soon as the
 * parent's end of standard input closes, i.e. when the launcher is gone, however it died.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is sent; we only wait for end of stream
                }
            } catch (final IOException ignored) {
                // treat as end of stream
            }
            System.exit(0); // runs Kafka's shutdown hook: a controlled shutdown
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}
