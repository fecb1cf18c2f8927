package dev.mailpipe.expander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.lists.ListKeys;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.lists.ListTopics;
import dev.mailpipe.schemas.AddressMember;
import dev.mailpipe.schemas.ListTask;
import dev.mailpipe.schemas.ListTaskProgress;
import dev.mailpipe.schemas.ListTaskStatus;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A send to a list of 10,000 members, with the expander killed (SIGKILL) in the middle: the
 * committed output holds one email per member, none twice, none missing, and the task ends done.
 */
class ListSendCrashIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Logger LOG = LoggerFactory.getLogger(ListSendCrashIT.class);
    private static final int MEMBERS = 10_000;
    private static final String LIST = "all@maillist.example";
    private static final String TASK = "1764000000000_1_1_1.list-it-inbound";
    private static final String APP_ID = "list-crash-expander";

    @TempDir
    Path temp;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldSendEveryMemberExactlyOnceAcrossAKill() throws Exception {
        KAFKA.cluster().createTopics(3, Topics.RAW.name(), Topics.OUTBOUND.name(), Topics.DELIVERY_EVENTS.name(),
                Topics.RAW_DLT.name());
        TopicProvisioner.ensure(KAFKA.bootstrapServers(), 1, ListTopics.sends(3, KafkaDefaults.topicConfig()));
        final Set<String> expected = new HashSet<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaDefaults.producer(KAFKA.bootstrapServers(), "list-it"), new StringSerializer(),
                new ByteArraySerializer())) {
            final int partition = ListKeys.partition("shop", LIST, 3);
            for (int i = 0; i < MEMBERS; i++) {
                final String address = String.format("member%05d@receiver.example", i);
                expected.add(address);
                producer.send(new ProducerRecord<>(Topics.ADDRESS_MEMBERS.name(), partition,
                        ListKeys.member("shop", LIST, address), Topics.ADDRESS_MEMBERS.valueSerde().serializer()
                                .serialize("t", AddressMember.newBuilder().setApiUser("shop").setList(LIST)
                                        .setMember(address).setVars(Map.of("%n%", String.valueOf(i)))
                                        .setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).build())));
            }
            producer.flush();
            // slow (5 submissions of 100 a second) so the kill lands in the middle
            child = ChildExpander.start(KAFKA.bootstrapServers(), APP_ID, temp,
                    Map.of("MAILPIPE_EXPANDER_LIST_SUBMISSIONS_PER_SECOND", "5"));
            producer.send(new ProducerRecord<>(Topics.LIST_TASKS.name(), partition, TASK,
                    Topics.LIST_TASKS.valueSerde().serializer().serialize("t", task()))).get();
        }
        try (CommittedReader emails = new CommittedReader(KAFKA.cluster().consumerProperties(), Topics.OUTBOUND.name());
             CommittedReader progress = new CommittedReader(KAFKA.cluster().consumerProperties(),
                     Topics.LIST_TASK_PROGRESS.name())) {
            emails.awaitAtLeast(1_000, Duration.ofSeconds(120));
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            LOG.info("killed the first expander with {} emails committed", emails.count());
            assertThat(emails.count()).as("the kill must come mid-task").isLessThan(MEMBERS);

            try (ExpanderApp survivor = ExpanderApp.start(new ExpanderConfig(Map.of(
                    ExpanderConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers(),
                    ExpanderConfig.APPLICATION_ID, APP_ID,
                    ExpanderConfig.TOPIC_PARTITIONS, "3",
                    ExpanderConfig.STATE_DIR, temp.resolve("second").toString(),
                    ExpanderConfig.HTTP_PORT, "-1")), new SimpleMeterRegistry())) {
                emails.awaitAtLeast(MEMBERS, Duration.ofSeconds(180));
                emails.drainFor(Duration.ofSeconds(3));
                final List<String> recipients = new ArrayList<>();
                for (final byte[] bytes : emails.values()) {
                    final OutboundEmail email = Topics.OUTBOUND.valueSerde().deserializer().deserialize("t", bytes);
                    assertThat(email.getMailListTaskId()).isEqualTo(TASK);
                    recipients.add(email.getRecipient());
                }
                assertThat(recipients).hasSize(MEMBERS).doesNotHaveDuplicates();
                assertThat(new HashSet<>(recipients)).isEqualTo(expected);

                progress.awaitAtLeast(1, Duration.ofSeconds(10));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    progress.drainFor(Duration.ofMillis(200));
                    final ListTaskProgress last = Topics.LIST_TASK_PROGRESS.valueSerde().deserializer()
                            .deserialize("t", progress.values().getLast());
                    return last.getStatus() == ListTaskStatus.done && last.getQueued() == MEMBERS
                            && last.getMembers() == MEMBERS;
                });
            }
        }
    }

    private static ListTask task() {
        final String content = "From: news@shop.example\r\nTo: " + LIST + "\r\nSubject: number %n%\r\n\r\nHello %n%\r\n";
        return ListTask.newBuilder().setTaskId(TASK).setApiUser("shop").setList(LIST).setTemplate(RawMessage.newBuilder()
                .setMessageId(TASK).setApiUser("shop").setMailFrom("news@shop.example").setRecipients(List.of())
                .setReceivedAt(Instant.now()).setClientAddress("192.0.2.1").setClientHelo("").setSource("api")
                .setContent(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8))).build()).build();
    }
}
