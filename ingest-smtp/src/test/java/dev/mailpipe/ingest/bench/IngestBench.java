package dev.mailpipe.ingest.bench;

import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.testsupport.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Ingest benchmark (not a test): N parallel authenticated SMTP sessions, each sending its share
 * of M messages of a given size over one connection (MAIL/RCPT/DATA pipelined), against the
 * in-JVM Kafka broker. Prints accepted msgs/s and the p50/p99 accept latency (from the final "."
 * to "250 ... Queued", i.e. including the Kafka acknowledgement).
 *
 * <pre>bench/ingest/run.sh [--sessions 20] [--messages 5000] [--sizes 1024,102400] [--bootstrap host:port]</pre>
 */
public final class IngestBench {

    private IngestBench() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> opts = parse(args);
        final int sessions = Integer.parseInt(opts.getOrDefault("sessions", "20"));
        final int messages = Integer.parseInt(opts.getOrDefault("messages", "5000"));
        final List<Integer> sizes = Arrays.stream(opts.getOrDefault("sizes", "1024,102400").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        final String external = opts.get("bootstrap");
        final KafkaCluster cluster = external == null ? KafkaCluster.start() : null;
        final String bootstrap = external != null ? external : cluster.bootstrapServers();
        final Map<String, String> config = new HashMap<>(Map.of(
                "bootstrap.servers", bootstrap, "smtp.host", "127.0.0.1", "smtp.port", "0", "http.port", "-1",
                "api.user", "bench", "api.key", "bench-key", "instance.id", "bench", "rate.limit.per.minute", "0",
                "smtp.max.connections.per.address", String.valueOf(Math.max(50, sessions * 2))));
        config.putIfAbsent("sender.domains", "any");
        try (IngestSmtpApp app = IngestSmtpApp.start(new IngestSmtpConfig(config), new SimpleMeterRegistry())) {
            System.out.printf("ingest bench: %d sessions, %d messages per size, broker %s%n", sessions, messages,
                    external == null ? "in-JVM KRaft" : external);
            for (final int size : sizes) {
                run(app.smtpPort(), sessions, Math.max(sessions, messages / 10), size, false); // warm-up
                run(app.smtpPort(), sessions, messages, size, true);
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static void run(final int port, final int sessions, final int messages, final int size, final boolean report)
            throws Exception {
        final byte[] message = message(size);
        final int perSession = Math.max(1, messages / sessions);
        final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        final List<Future<long[]>> results = new ArrayList<>();
        final long start = System.nanoTime();
        for (int s = 0; s < sessions; s++) {
            results.add(pool.submit(() -> session(port, perSession, message)));
        }
        final long[] latencies = new long[perSession * sessions];
        int n = 0;
        for (final Future<long[]> f : results) {
            final long[] l = f.get();
            System.arraycopy(l, 0, latencies, n, l.length);
            n += l.length;
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (report) {
            Arrays.sort(latencies);
            System.out.printf("size %7d B: %6d msgs in %6.2f s = %8.1f msgs/s (%6.1f MB/s); accept latency p50 %6.2f ms, p99 %7.2f ms%n",
                    size, n, seconds, n / seconds, n * (double) size / seconds / 1e6,
                    latencies[n / 2] / 1e6, latencies[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6);
        }
    }

    private static long[] session(final int port, final int count, final byte[] message) throws IOException {
        final long[] latencies = new long[count];
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 128 * 1024);
            expect(in, "220");
            final String auth = Base64.getEncoder().encodeToString("\0bench#load\0bench-key".getBytes(StandardCharsets.US_ASCII));
            out.write(("EHLO bench.test\r\nAUTH PLAIN " + auth + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, "250");
            expect(in, "235");
            final byte[] envelope = "MAIL FROM:<bench@bench.test>\r\nRCPT TO:<sink@bench.test>\r\nDATA\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                out.write(envelope);
                out.flush();
                expect(in, "250");
                expect(in, "250");
                expect(in, "354");
                out.write(message);
                final long sent = System.nanoTime();
                out.flush();
                expect(in, "250");
                latencies[i] = System.nanoTime() - sent;
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        return latencies;
    }

    /** Reads one complete (possibly multi-line) reply and checks its code. */
    private static void expect(final InputStream in, final String code) throws IOException {
        while (true) {
            final StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed, expected " + code);
                }
                line.append((char) b);
            }
            if (!line.toString().startsWith(code)) {
                throw new IOException("expected " + code + " but got " + line.toString().strip());
            }
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return;
            }
        }
    }

    private static byte[] message(final int size) {
        final StringBuilder m = new StringBuilder("From: bench@bench.test\r\nTo: sink@bench.test\r\nSubject: bench\r\n\r\n");
        int i = 0;
        while (m.length() < size - 3) {
            m.append("line ").append(i++).append(" of the benchmark message, lorem ipsum dolor sit amet\r\n");
        }
        m.setLength(size - 5);
        m.append("\r\n.\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, String> parse(final String[] args) {
        final Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }
}
