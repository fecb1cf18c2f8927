package dev.mailpipe.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Entry point of the broker child process: runs {@code kafka.Kafka} for as long as a launcher
 * holds it (see {@link BrokerLease}).
 *
 * <p>Arguments: {@code <control file> <orphan grace in ms> <server.properties>}. The spawning
 * launcher holds the broker through the child's stdin. When that closes (the launcher is gone,
 * however it died) the broker waits the grace period for a new launcher to adopt it through the
 * loopback control socket named in the control file; then it shuts down (a controlled shutdown,
 * Kafka's shutdown hook). A grace of 0 exits at once, as a plain child would.
 */
public final class BrokerMain {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration TICK = Duration.ofMillis(200);

    private BrokerMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path controlFile = Path.of(args[0]);
        final Duration grace = Duration.ofMillis(Long.parseLong(args[1]));
        final byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        final String token = HexFormat.of().formatHex(secret);
        final BrokerLease lease = new BrokerLease(token, grace);
        final ServerSocket control = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        final BrokerControl self = new BrokerControl(ProcessHandle.current().pid(), control.getLocalPort(), token);
        self.write(controlFile);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> self.removeIfMine(controlFile), "broker-control-cleanup"));

        daemon("parent-watchdog", () -> {
            drain(System.in);
            lease.release(Instant.now());
        });
        daemon("broker-control", () -> serve(control, lease));
        daemon("orphan-reaper", () -> {
            while (!lease.expired(Instant.now())) {
                sleep(TICK);
            }
            System.exit(0); // runs Kafka's shutdown hook: a controlled shutdown
        });
        kafka.Kafka.main(new String[] {args[2]});
    }

    /** Reads a lifeline until it ends (either side: nothing is ever sent on it). */
    static void drain(final InputStream lifeline) {
        try {
            while (lifeline.read() != -1) {
                // we only wait for end of stream
            }
        } catch (final IOException ignored) {
            // a broken lifeline is an ended one
        }
    }

    private static void serve(final ServerSocket control, final BrokerLease lease) {
        while (true) {
            final Socket socket;
            try {
                socket = control.accept();
            } catch (final IOException e) {
                return;
            }
            daemon("broker-control-request", () -> answer(socket, lease));
        }
    }

    private static void answer(final Socket socket, final BrokerLease lease) {
        BrokerLease.Adoption outcome = null;
        try {
            socket.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            outcome = lease.request(in.readLine(), Instant.now());
            final OutputStream out = socket.getOutputStream();
            out.write((BrokerLease.reply(outcome, ProcessHandle.current().pid()) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (outcome == BrokerLease.Adoption.ADOPTED) {
                socket.setSoTimeout(0); // the adopter holds this connection for as long as it runs
                drain(socket.getInputStream());
            }
        } catch (final IOException ignored) {
            // a broken request or lifeline
        } finally {
            if (outcome == BrokerLease.Adoption.ADOPTED) {
                lease.release(Instant.now()); // exactly once per holder: its lifeline ended
            }
            try {
                socket.close();
            } catch (final IOException ignored) {
                // closing a socket we are done with
            }
        }
    }

    private static void daemon(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void sleep(final Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
