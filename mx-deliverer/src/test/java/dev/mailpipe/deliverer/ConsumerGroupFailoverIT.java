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
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two deliverer instances in one consumer group: one in a child JVM that is killed with SIGKILL
 * mid-stream (no graceful shutdown, no final commit), one in this JVM. Every email must still end
 * delivered: the survivor redelivers whatever the dead one had not committed.
 */
class ConsumerGroupFailoverIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsumerGroupFailoverIT.class);
    private static final String GROUP = "failover-deliverers";
    private static final int DOMAINS = 6;
    private static final int EMAILS = 600;

    @Test
    void shouldLoseNothingWhenOneOfTwoInstancesIsKilled() throws Exception {
        // a slow server (50 ms per DATA) so that the kill lands while deliveries are in flight
        final TestSmtpServer server = TestSmtpServer.on("127.0.0.2").port(0).dataReply(n -> {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            return "250 2.0.0 ok " + n;
        }).start();
        final Dnsmasq.Builder zone = Dnsmasq.builder().localZone("test").host("mx.all.test", "127.0.0.2");
        for (int d = 0; d < DOMAINS; d++) {
            zone.mx("d" + d + ".test", "mx.all.test", 10);
        }
        final Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("MAILPIPE_HTTP_PORT", "-1");
        env.put("MAILPIPE_MX_PORT", String.valueOf(server.port()));
        env.put("MAILPIPE_MX_ALLOWED_NETWORKS", "127.0.0.0/8");
        env.put("MAILPIPE_HOSTNAME", "deliverer.test");
        env.put("MAILPIPE_MX_DESTINATION_CONCURRENCY", "2");
        env.put("MAILPIPE_DELIVERER_GROUP_ID", GROUP);
        env.put("MAILPIPE_DELIVERER_SESSION_TIMEOUT_MS", "6000");
        env.put("MAILPIPE_DELIVERER_SHUTDOWN_GRACE_MS", "5000");
        env.put("MAILPIPE_TOPIC_PARTITIONS", "6");
        env.put("MAILPIPE_RETRY_DELAYS", "1s");

        try (Dnsmasq dns = zone.start(); server;
             Admin admin = KAFKA.cluster().admin();
             EventCollector events = new EventCollector(KAFKA.cluster().consumerProperties())) {
            env.put("MAILPIPE_DNS", dns.address());
            final MxDelivererApp survivor = MxDelivererApp.start(MxDelivererConfig.fromEnvironment(env),
                    new SimpleMeterRegistry());
            final Map<String, String> victimEnv = new HashMap<>(env);
            victimEnv.put("MAILPIPE_INSTANCE_ID", "victim"); // two live instances: distinct static member ids
            final Process victim = startChild(victimEnv);
            try {
                await("both instances own partitions").atMost(Duration.ofSeconds(60)).until(() -> {
                    final ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP))
                            .all().get().get(GROUP);
                    return group.members().size() == 2 && group.members().stream()
                            .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                });

                final List<String> emailIds = produce();
                await("deliveries under way").atMost(Duration.ofSeconds(60))
                        .until(() -> server.received().size() >= EMAILS / 6);
                victim.destroyForcibly().waitFor();
                final int atKill = server.received().size();
                assertThat(server.received().size()).as("killed mid-stream").isLessThan(EMAILS);

                await("every email delivered").atMost(Duration.ofSeconds(90)).until(() ->
                        delivered(events).containsAll(emailIds));
                final Set<String> recipients = server.received().stream().flatMap(r -> r.recipients().stream())
                        .collect(Collectors.toSet());
                assertThat(recipients).hasSize(EMAILS);
                LOG.info("{} messages received when the instance was killed, {} in the end ({} redelivered)",
                        atKill, server.received().size(), server.received().size() - EMAILS);
            } finally {
                victim.destroyForcibly();
                survivor.close();
            }
            // the graceful close committed everything: a restart would redeliver nothing
            assertThat(committedLag(admin)).isZero();
        }
    }

    private static Process startChild(final Map<String, String> env) throws Exception {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath,
                MxDelivererApp.class.getName());
        builder.environment().keySet().removeIf(k -> k.startsWith("MAILPIPE_") || k.equals("KAFKA_BOOTSTRAP_SERVERS"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(new File("target/failover-child.log"));
        return builder.start();
    }

    private static List<String> produce() {
        final List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, OutboundEmail> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "acks", "all", "linger.ms", "5"),
                new StringSerializer(), Topics.OUTBOUND.valueSerde().serializer())) {
            for (int i = 0; i < EMAILS; i++) {
                final OutboundEmail email = Emails.email("f" + i + ".test-inbound", 0,
                        "user" + i + "@d" + i % DOMAINS + ".test");
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

    private static long committedLag(final Admin admin) throws Exception {
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get();
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            latest.put(new TopicPartition(Topics.OUTBOUND.name(), p), OffsetSpec.latest());
        }
        long lag = 0;
        for (final var e : admin.listOffsets(latest).all().get().entrySet()) {
            final OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }
}
