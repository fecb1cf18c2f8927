package dev.mailpipe.deliverer.bench;

import dev.mailpipe.deliverer.MxDelivererApp;
import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.FreePort;
import dev.mailpipe.testsupport.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.HashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Emails delivered per second by one mx-deliverer instance, from a pre-filled mail.outbound to a
 * local sink, through the real path (in-JVM Kafka broker, dnsmasq MX lookup, SMTP, delivered
 * events acknowledged, offsets committed). Not a test: run it with bench/deliverer/run.sh.
 *
 * <p>Scenarios: Postfix smtp-sink with 1 and with many recipient domains; a sink that delays
 * every DATA reply by 50 ms (smtp-sink only delays whole seconds, so that one is
 * {@link DelayingSmtpSink}) with 1 and many domains; optionally smtp-sink -w 1 (1 s delay).
 */
public final class DelivererBenchmark {

    private static final int PARTITIONS = 6;
    /** --dkim rsa-sha256|ed25519-sha256|both: the emails' From: domain (mailpipe.test) has keys, so each is signed. */
    private static String dkim = "off";
    private static final String KEYS_SECRET = "deliverer benchmark keys secret";

    private record Scenario(String name, String sink, int domains) {
    }

    private DelivererBenchmark() {
    }

    public static void main(final String[] args) {
        try {
            benchmark(args);
            System.exit(0);
        } catch (final Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void benchmark(final String[] args) throws Exception {
        final int emails = intArg(args, "--emails", 5000);
        final int runs = intArg(args, "--runs", 3);
        final int manyDomains = intArg(args, "--domains", 50);
        final String only = stringArg(args, "--only", "");
        dkim = stringArg(args, "--dkim", "off");
        final List<Scenario> scenarios = List.of(
                new Scenario("smtp-sink, 1 domain", "smtp-sink", 1),
                new Scenario("smtp-sink, " + manyDomains + " domains", "smtp-sink", manyDomains),
                new Scenario("50 ms DATA delay, 1 domain", "delay50", 1),
                new Scenario("50 ms DATA delay, " + manyDomains + " domains", "delay50", manyDomains),
                new Scenario("smtp-sink -w 1 (1 s DATA delay), " + manyDomains + " domains", "smtp-sink-w1",
                        manyDomains));
        System.out.printf(Locale.ROOT, "mx-deliverer benchmark: %d emails per run, %d runs per scenario, %d cores%n",
                emails, runs, Runtime.getRuntime().availableProcessors());
        final KafkaCluster kafka = KafkaCluster.start();
        kafka.createTopics(PARTITIONS, Topics.OUTBOUND.name(), Topics.DELIVERY_EVENTS.name());
        int runNumber = 0;
        final List<String> table = new ArrayList<>();
        table.add("| scenario | median emails/s (first to last delivered event) | min | max |");
        table.add("|---|---|---|---|");
        for (final Scenario scenario : scenarios) {
            if (!only.isEmpty() && !scenario.sink().equals(only)) {
                continue;
            }
            if (scenario.sink().equals("smtp-sink-w1") && only.isEmpty()) {
                continue; // slow: only on request (--only smtp-sink-w1)
            }
            final List<Double> rates = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                final double rate = run(kafka, scenario, emails, "bench" + ++runNumber);
                System.out.printf(Locale.ROOT, "  %s, run %d: %.0f emails/s%n", scenario.name(), r + 1, rate);
                rates.add(rate);
            }
            Collections.sort(rates);
            table.add(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |", scenario.name(),
                    rates.get(rates.size() / 2), rates.get(0), rates.get(rates.size() - 1)));
        }
        kafka.close();
        System.out.println();
        table.forEach(System.out::println);
    }

    private static double run(final KafkaCluster kafka, final Scenario scenario, final int emails, final String tag)
            throws Exception {
        final InetAddress sinkAddress = InetAddress.getByName("127.0.0.2");
        final int port = FreePort.tcpAndUdp(sinkAddress);
        final AutoCloseable sink = startSink(scenario.sink(), port);
        final Dnsmasq.Builder zone = Dnsmasq.builder().localZone("test").host("mx.sink.test", "127.0.0.2");
        for (int d = 0; d < scenario.domains(); d++) {
            zone.mx("d" + d + ".test", "mx.sink.test", 10);
        }
        // one broker for all runs: each run's group starts at the current end of mail.outbound
        final String group = "bench-" + tag;
        startGroupAtEnd(kafka, group);
        try (sink; Dnsmasq dns = zone.start()) {
            fill(kafka, emails, scenario.domains(), tag);
            final MxDelivererConfig config = new MxDelivererConfig(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(), "http.port", "-1", "dns", dns.address(),
                    "mx.port", String.valueOf(port), "mx.allowed.networks", "127.0.0.0/8",
                    "hostname", "bench.mailpipe.test", "mx.starttls", "false", "deliverer.group.id", group,
                    "keys.secret", KEYS_SECRET));
            registerDkimDomain(kafka);
            try (KafkaConsumer<String, DeliveryEvent> events = new KafkaConsumer<>(kafka.consumerProperties(),
                    new StringDeserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer())) {
                events.subscribe(List.of(Topics.DELIVERY_EVENTS.name()));
                final long start = System.nanoTime();
                try (MxDelivererApp app = MxDelivererApp.start(config, new SimpleMeterRegistry())) {
                    final Set<String> delivered = new HashSet<>();
                    final long[] first = {0};
                    final long deadline = start + TimeUnit.MINUTES.toNanos(10);
                    long report = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (delivered.size() < emails) {
                        if (System.nanoTime() > report) {
                            System.out.printf(Locale.ROOT, "    ... %d delivered%n", delivered.size());
                            report = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                        }
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("only " + delivered.size() + " delivered in 10 min");
                        }
                        events.poll(Duration.ofMillis(100)).forEach(r -> {
                            if (!r.value().getMessageId().contains(tag)) {
                                return;
                            }
                            if (r.value().getType() == EventType.delivered) {
                                if (first[0] == 0) {
                                    first[0] = System.nanoTime();
                                }
                                delivered.add(r.value().getEmailId());
                            } else {
                                throw new IllegalStateException("unexpected event " + r.value());
                            }
                        });
                    }
                    final long end = System.nanoTime();
                    System.out.printf(Locale.ROOT, "    including start-up and group join: %.0f emails/s%n",
                            emails / ((end - start) / 1e9));
                    return (emails - 1) / ((end - first[0]) / 1e9);
                }
            }
        }
    }

    /** With --dkim, mailpipe.test (the From: of every email) gets keys of that algorithm (sealed as the CLI does). */
    private static void registerDkimDomain(final KafkaCluster kafka) {
        if (dkim.equals("off")) {
            return;
        }
        final dev.mailpipe.core.dkim.KeySealer sealer = dev.mailpipe.core.dkim.KeySealer.of(KEYS_SECRET);
        final List<dev.mailpipe.schemas.DkimKeyRecord> keys = new ArrayList<>();
        for (final dev.mailpipe.core.dkim.DkimAlgorithm a : dkim.equals("both")
                ? List.of(dev.mailpipe.core.dkim.DkimAlgorithm.RSA_SHA256, dev.mailpipe.core.dkim.DkimAlgorithm.ED25519_SHA256)
                : List.of(dev.mailpipe.core.dkim.DkimAlgorithm.ofTag(dkim))) {
            final java.security.KeyPair pair = dev.mailpipe.core.dkim.DkimKeys.generate(a);
            final String selector = "bench-" + a.keyType();
            keys.add(new dev.mailpipe.schemas.DkimKeyRecord(selector,
                    a == dev.mailpipe.core.dkim.DkimAlgorithm.RSA_SHA256 ? dev.mailpipe.schemas.DkimAlgorithmName.rsa_sha256
                            : dev.mailpipe.schemas.DkimAlgorithmName.ed25519_sha256,
                    dev.mailpipe.core.dkim.DkimKeys.dnsPublicKey(a, pair.getPublic()),
                    ByteBuffer.wrap(sealer.seal("mailpipe.test", selector, pair.getPrivate().getEncoded())),
                    Instant.now(), null));
        }
        dev.mailpipe.platform.TopicProvisioner.ensure(kafka.bootstrapServers(), 1,
                List.of(dev.mailpipe.platform.CompactedTable.topicSpec(Topics.DOMAINS.name())));
        try (dev.mailpipe.platform.CompactedTable<dev.mailpipe.schemas.SenderDomain> table =
                dev.mailpipe.platform.CompactedTable.start(kafka.bootstrapServers(), "bench", Topics.DOMAINS.name(),
                        Topics.DOMAINS.valueSerde())) {
            table.put("mailpipe.test", new dev.mailpipe.schemas.SenderDomain("mailpipe.test", "bench", keys,
                    Instant.now(), Instant.now()));
        }
    }

    private static void startGroupAtEnd(final KafkaCluster kafka, final String group) throws Exception {
        try (Admin admin = kafka.admin()) {
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(Topics.OUTBOUND.name(), p), OffsetSpec.latest());
            }
            final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            // a topic created a moment ago may not be in every broker's metadata yet
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                admin.listOffsets(latest).all().get()
                        .forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
                return offsets.size() == PARTITIONS;
            });
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        }
    }

    private static void fill(final KafkaCluster kafka, final int emails, final int domains, final String tag) {
        final String body = "x".repeat(76) + "\r\n";
        final String content = "From: bench@mailpipe.test\r\nSubject: benchmark\r\n\r\n" + body.repeat(12);
        final long millis = Instant.now().toEpochMilli();
        try (KafkaProducer<String, OutboundEmail> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "linger.ms", "5",
                "batch.size", "65536"), new StringSerializer(), Topics.OUTBOUND.valueSerde().serializer())) {
            for (int i = 0; i < emails; i++) {
                final String domain = "d" + i % domains + ".test";
                final String recipient = "user" + i + "@" + domain;
                final String messageId = millis + "_" + i + "_0_0." + tag + "-inbound";
                producer.send(new ProducerRecord<>(Topics.OUTBOUND.name(), domain, OutboundEmail.newBuilder()
                        .setEmailId(messageId + 0 + "$" + recipient).setMessageId(messageId).setIndex(0)
                        .setApiUser("bench").setMailFrom("bench@mailpipe.test").setRecipient(recipient)
                        .setRecipientDomain(domain).setSubmittedAt(Instant.now())
                        .setContent(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII))).build()));
            }
        }
    }

    private static AutoCloseable startSink(final String kind, final int port) throws IOException {
        if (kind.equals("delay50")) {
            return new DelayingSmtpSink("127.0.0.2", port, Duration.ofMillis(50));
        }
        final List<String> command = new ArrayList<>(List.of("smtp-sink", "-u", "nobody", "-m", "1000"));
        if (kind.equals("smtp-sink-w1")) {
            command.addAll(List.of("-w", "1"));
        }
        command.addAll(List.of("127.0.0.2:" + port, "1024"));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("smtp-sink did not start (installed? /usr/sbin/smtp-sink)");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return () -> {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        };
    }

    private static boolean listening(final int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.2", port)) {
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    private static int intArg(final String[] args, final String name, final int fallback) {
        final String value = stringArg(args, name, null);
        return value == null ? fallback : Integer.parseInt(value);
    }

    private static String stringArg(final String[] args, final String name, final String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
