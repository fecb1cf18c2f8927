package dev.mailpipe.expander.bench;

import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.expander.Submissions;
import dev.mailpipe.expander.core.Expander;
import dev.mailpipe.expander.core.Expansion;
import dev.mailpipe.expander.mime.Fixtures;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark, not a test: emails expanded per second for 100-recipient submissions with 5
 * substitution variables on a ~20 KiB HTML+text message with one inline image (and the usual
 * nesting: mixed → related → alternative). Run it with {@code bench/expander/run.sh}.
 *
 * <ul>
 *   <li>{@code core}: the pure expander plus Avro encoding of every email, in this thread —
 *       the CPU cost of expansion; latency = one submission's expansion.</li>
 *   <li>{@code broker}: the real app (Kafka Streams, exactly_once_v2) against an in-JVM KRaft broker
 *       (which shares the CPU); latency = from sending a submission to its 100th email being
 *       readable with read_committed.</li>
 * </ul>
 * Arguments: {@code [core|broker|all] [submissions]} (defaults: all, 200 for core, 50 for broker).
 * {@code -Dbench.template=sparse}: variables on one line of each part instead of on every line.
 */
public final class ExpanderBench {

    private static final int RECIPIENTS = 100;
    private static final List<String> VARIABLES = List.of("%name%", "%money%", "%role%", "%code%", "%date%");

    private ExpanderBench() {
    }

    public static void main(final String[] args) throws Exception {
        final String mode = args.length > 0 ? args[0] : "all";
        final byte[] content = message();
        System.out.printf(Locale.ROOT, "message: %.1f KiB (html + text + inline image), %d recipients, %d variables, "
                + "variables on %s line%n", content.length / 1024.0, RECIPIENTS, VARIABLES.size(),
                "sparse".equals(System.getProperty("bench.template")) ? "one" : "every");
        if (mode.equals("core") || mode.equals("all")) {
            core(content, args.length > 1 ? Integer.parseInt(args[1]) : 200);
        }
        if (mode.equals("broker") || mode.equals("all")) {
            broker(content, args.length > 1 ? Integer.parseInt(args[1]) : 50);
        }
    }

    private static void core(final byte[] content, final int submissions) {
        final Expander expander = new Expander("");
        final var serializer = Topics.OUTBOUND.valueSerde().serializer();
        for (int i = 0; i < 20; i++) { // warm-up
            expandAndEncode(expander, serializer, submission(content, "warm" + i));
        }
        final long[] latencies = new long[submissions];
        long bytes = 0;
        final long start = System.nanoTime();
        for (int i = 0; i < submissions; i++) {
            final long t0 = System.nanoTime();
            bytes += expandAndEncode(expander, serializer, submission(content, "core" + i));
            latencies[i] = System.nanoTime() - t0;
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        report("core (expand + Avro encode, 1 thread)", submissions, seconds, latencies, bytes);
    }

    private static long expandAndEncode(final Expander expander,
            final org.apache.kafka.common.serialization.Serializer<OutboundEmail> serializer, final RawMessage raw) {
        final Expansion expansion = expander.expand(raw);
        if (!(expansion instanceof Expansion.Expanded expanded) || expanded.emails().size() != RECIPIENTS) {
            throw new IllegalStateException("unexpected " + expansion);
        }
        long bytes = 0;
        for (final OutboundEmail email : expanded.emails()) {
            bytes += serializer.serialize(Topics.OUTBOUND.name(), email).length;
        }
        return bytes;
    }

    private static void broker(final byte[] content, final int submissions) throws Exception {
        final Path stateDir = Files.createTempDirectory("expander-bench");
        try (KafkaCluster cluster = KafkaCluster.start()) {
            final Map<String, Object> settings = new HashMap<>();
            settings.put(ExpanderConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
            settings.put(ExpanderConfig.STATE_DIR, stateDir.toString());
            settings.put(ExpanderConfig.HTTP_PORT, "-1");
            settings.put(ExpanderConfig.TOPIC_PARTITIONS, "6");
            settings.put(ExpanderConfig.THREADS, System.getProperty("bench.threads", "2"));
            settings.put(ExpanderConfig.PROCESSING_GUARANTEE, System.getProperty("bench.guarantee", "exactly_once_v2"));
            if (System.getProperty("bench.commit.ms") != null) {
                settings.put(ExpanderConfig.STREAMS_PREFIX + "commit.interval.ms", System.getProperty("bench.commit.ms"));
            }
            final ExpanderConfig config = new ExpanderConfig(settings);
            try (ExpanderApp app = ExpanderApp.start(config, new SimpleMeterRegistry());
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                         KafkaDefaults.producer(cluster.bootstrapServers(), "bench"), new StringSerializer(),
                         new ByteArraySerializer());
                 KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(cluster),
                         new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.OUTBOUND.name()));
                final Map<String, Long> sentAt = new ConcurrentHashMap<>();
                final Map<String, Integer> received = new HashMap<>();
                final List<Long> latencies = new ArrayList<>();
                final var rawSerializer = Topics.RAW.valueSerde().serializer();
                final var deserializer = Topics.OUTBOUND.valueSerde().deserializer();
                long bytes = 0;
                final long start = System.nanoTime();
                for (int i = 0; i < submissions; i++) {
                    final RawMessage raw = submission(content, "broker" + i);
                    sentAt.put(raw.getMessageId(), System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.RAW.name(), raw.getMessageId(),
                            rawSerializer.serialize(Topics.RAW.name(), raw)));
                }
                producer.flush();
                final long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (latencies.size() < submissions && System.nanoTime() < deadline) {
                    for (final var record : consumer.poll(Duration.ofMillis(200))) {
                        bytes += record.value().length;
                        final String messageId = deserializer.deserialize("t", record.value()).getMessageId();
                        if (received.merge(messageId, 1, Integer::sum) == RECIPIENTS) {
                            latencies.add(System.nanoTime() - sentAt.get(messageId));
                        }
                    }
                }
                final double seconds = (System.nanoTime() - start) / 1e9;
                report("broker (Kafka Streams " + config.processingGuarantee() + ", " + config.threads()
                                + " threads, in-JVM broker)",
                        latencies.size(), seconds, latencies.stream().mapToLong(Long::longValue).toArray(), bytes);
            }
        }
    }

    private static Map<String, Object> consumerProps(final KafkaCluster cluster) {
        final Map<String, Object> props = new HashMap<>();
        cluster.consumerProperties().forEach((k, v) -> props.put((String) k, v));
        props.put("max.partition.fetch.bytes", KafkaDefaults.MAX_RECORD_BYTES);
        return props;
    }

    private static void report(final String what, final int submissions, final double seconds, final long[] latencies,
            final long bytes) {
        final long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        final int emails = submissions * RECIPIENTS;
        System.out.printf(Locale.ROOT, "%s: %d submissions, %d emails in %.2f s = %.0f emails/s (%.1f MiB/s out)%n",
                what, submissions, emails, seconds, emails / seconds, bytes / seconds / 1024 / 1024);
        System.out.printf(Locale.ROOT, "  latency per submission (ms): p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 100));
    }

    private static double percentile(final long[] sorted, final double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        final int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static RawMessage submission(final byte[] content, final String id) {
        final String messageId = "1764000000000_" + id + "_1_1.bench-inbound";
        final List<String> to = IntStream.range(0, RECIPIENTS)
                .mapToObj(i -> "user" + i + "@domain" + (i % 10) + ".test").toList();
        final String json = "{\"to\": [" + to.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","))
                + "], \"sub\": {" + VARIABLES.stream().map(v -> "\"" + v + "\": [" + IntStream.range(0, RECIPIENTS)
                .mapToObj(i -> "\"" + v.replace("%", "") + "-" + i + "-值\"").collect(Collectors.joining(",")) + "]")
                .collect(Collectors.joining(",")) + "}}";
        final byte[] header = ("X-SMTPAPI: " + Base64.getEncoder().encodeToString(json.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final byte[] full = new byte[header.length + content.length];
        System.arraycopy(header, 0, full, 0, header.length);
        System.arraycopy(content, 0, full, header.length, content.length);
        return Submissions.raw(messageId, List.of("envelope@ifaxin.com"), full);
    }

    /** ~20 KiB: HTML ≈ 10 KiB and text ≈ 5 KiB using the 5 variables, a 3.5 KiB inline PNG. */
    private static byte[] message() {
        final boolean sparse = "sparse".equals(System.getProperty("bench.template"));
        final String greeting = "Dear %name%, your balance is %money% yuan. As a %role% member your code is %code%, "
                + "valid until %date%. Thank you for staying with us.\n";
        final String paragraph = sparse
                ? "Our spring catalogue has arrived, with new offers in every category we carry this season.\n"
                : greeting;
        final StringBuilder text = new StringBuilder(sparse ? greeting : "");
        while (text.length() < 5 * 1024) {
            text.append(paragraph);
        }
        final StringBuilder html = new StringBuilder("<html><body><img src=\"cid:logo@ifaxin.com\">\n");
        if (sparse) {
            html.append("<p>").append(greeting.strip()).append("</p>\n");
        }
        while (html.length() < 10 * 1024) {
            html.append("<p style=\"font-family:sans-serif\">").append(paragraph.strip()).append("</p>\n");
        }
        html.append("</body></html>\n");
        final String headers = "Received: from client.example by mailpipe; Mon, 23 Nov 2026 16:00:00 +0000\r\n"
                + "From: Support <support@ifaxin.com>\r\nTo: list@ifaxin.com\r\nSubject: Statement for %name%\r\n"
                + "Date: Mon, 23 Nov 2026 16:00:00 +0000\r\n";
        return Fixtures.rich(headers, text.toString(), html.toString(), Fixtures.binary(3584, 7), new byte[0]);
    }
}
