package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deliverer in a child JVM is killed with SIGKILL under load while every tenth message is slow
 * (so completions are out of order and the contiguous committed position lags far behind what was
 * delivered). A new instance takes over. Nothing may be lost, and no more messages may arrive
 * twice than the in-flight limit: what completed above the committed position is skipped thanks
 * to the commit metadata, and the exact limit bounds what was still running. The successor has the
 * victim's static member id, so it is served at once instead of after the 45 s session timeout.
 */
class DelivererCrashIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DelivererCrashIT.class);
    private static final String GROUP = "crash-deliverers";
    private static final int EMAILS = 400;
    private static final int MAX_IN_FLIGHT = 16;

    @Test
    void shouldRedeliverAtMostTheInFlightLimitAfterAKill() throws Exception {
        final TestSmtpServer server = TestSmtpServer.on("127.0.0.3").port(0).dataReply(n -> {
            LockSupport.parkNanos(Duration.ofMillis(n % 10 == 0 ? 1_500 : 2).toNanos());
            return "250 2.0.0 ok " + n;
        }).start();
        final Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("MAILPIPE_HTTP_PORT", "-1");
        env.put("MAILPIPE_MX_PORT", String.valueOf(server.port()));
        env.put("MAILPIPE_MX_ALLOWED_NETWORKS", "127.0.0.0/8");
        env.put("MAILPIPE_HOSTNAME", "deliverer.test");
        env.put("MAILPIPE_MX_DESTINATION_CONCURRENCY", "8");
        env.put("MAILPIPE_DELIVERER_MAX_IN_FLIGHT", String.valueOf(MAX_IN_FLIGHT));
        env.put("MAILPIPE_DELIVERER_GROUP_ID", GROUP);
        // the default 45 s session timeout: static membership must make the successor take over sooner
        env.put("MAILPIPE_DELIVERER_SHUTDOWN_GRACE_MS", "5000");
        env.put("MAILPIPE_TOPIC_PARTITIONS", "1"); // one partition: every completion is out of order with another
        env.put("MAILPIPE_RETRY_DELAYS", "1s");

        try (Dnsmasq dns = Dnsmasq.builder().localZone("test").host("mx.crash.test", "127.0.0.3")
                .mx("crash.test", "mx.crash.test", 10).start(); server;
             EventCollector events = new EventCollector(KAFKA.cluster().consumerProperties())) {
            env.put("MAILPIPE_DNS", dns.address());
            final Process victim = startChild(env);
            MxDelivererApp successor = null;
            try {
                final List<String> emailIds = produce();
                await("deliveries under way").atMost(Duration.ofSeconds(90))
                        .until(() -> server.received().size() >= EMAILS / 3);
                victim.destroyForcibly().waitFor();
                final int atKill = server.received().size();
                assertThat(atKill).as("killed mid-stream").isLessThan(EMAILS);

                final long restart = System.nanoTime();
                successor = MxDelivererApp.start(MxDelivererConfig.fromEnvironment(env), new SimpleMeterRegistry());
                await("the successor delivers").atMost(Duration.ofSeconds(60))
                        .until(() -> server.received().size() > atKill);
                final Duration recovery = Duration.ofNanos(System.nanoTime() - restart);
                LOG.info("the restarted instance delivered again {} ms after its start", recovery.toMillis());
                assertThat(recovery).as("static membership: no wait for the dead member's session timeout")
                        .isLessThan(Duration.ofSeconds(15));
                await("every email delivered").atMost(Duration.ofSeconds(120)).until(() ->
                        delivered(events).containsAll(emailIds));

                final Map<String, Long> arrivals = server.received().stream()
                        .flatMap(r -> r.recipients().stream())
                        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                final long duplicates = arrivals.values().stream().mapToLong(c -> c - 1).sum();
                LOG.info("{} messages had arrived at the kill; {} arrivals in the end, {} distinct, {} duplicates "
                        + "(limit {})", atKill, server.received().size(), arrivals.size(), duplicates, MAX_IN_FLIGHT);
                assertThat(arrivals).as("nothing lost").hasSize(EMAILS);
                assertThat(duplicates).as("redelivered after the kill").isLessThanOrEqualTo(MAX_IN_FLIGHT);
            } finally {
                victim.destroyForcibly();
                if (successor != null) {
                    successor.close();
                }
            }
        }
    }

    private static Process startChild(final Map<String, String> env) throws Exception {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath,
                MxDelivererApp.class.getName());
        builder.environment().keySet().removeIf(k -> k.startsWith("MAILPIPE_") || k.equals("KAFKA_BOOTSTRAP_SERVERS"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(new File("target/crash-child.log"));
        return builder.start();
    }

    private static List<String> produce() {
        final List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, OutboundEmail> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "acks", "all", "linger.ms", "5"),
                new StringSerializer(), Topics.OUTBOUND.valueSerde().serializer())) {
            for (int i = 0; i < EMAILS; i++) {
                final OutboundEmail email = Emails.email("c" + i + ".test-inbound", 0, "user" + i + "@crash.test");
                producer.send(new ProducerRecord<>(Topics.OUTBOUND.name(), email.getRecipientDomain(), email));
                ids.add(email.getEmailId());
            }
        }
        return ids;
    }

    private static Set<String> delivered(final EventCollector events) {
        return events.all().stream().filter(e -> e.getType() == EventType.delivered).map(DeliveryEvent::getEmailId)
                .collect(Collectors.toSet());
    }
}
