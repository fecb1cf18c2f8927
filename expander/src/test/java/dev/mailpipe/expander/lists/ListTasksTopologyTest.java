package dev.mailpipe.expander.lists;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.lists.ListKeys;
import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import dev.mailpipe.expander.DeliveryEventsSource;
import dev.mailpipe.schemas.AddressMember;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.ListTaskCounts;
import dev.mailpipe.schemas.ListTask;
import dev.mailpipe.schemas.ListTaskProgress;
import dev.mailpipe.schemas.ListTaskStatus;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** List sends in the topology: members in key order, in submissions of 100, each exactly once. */
class ListTasksTopologyTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final String LIST = "team@maillist.example";

    private TopologyTestDriver driver;
    private TestInputTopic<String, AddressMember> members;
    private TestInputTopic<String, ListTask> tasks;
    private TestOutputTopic<String, RawMessage> raw;
    private TestOutputTopic<String, ListTaskProgress> progress;
    private TestInputTopic<String, DeliveryEvent> events;
    private TestOutputTopic<String, ListTaskCounts> counts;

    @BeforeEach
    void start() {
        final StreamsBuilder builder = new StreamsBuilder();
        // two submissions per punctuation, so a task takes several
        ListTasks.build(builder, Clock.fixed(NOW, ZoneOffset.UTC),
                new ListTaskProcessor.Pace(Duration.ofMillis(200), 2), DeliveryEventsSource.stream(builder));
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "expander-lists-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props);
        members = driver.createInputTopic(Topics.ADDRESS_MEMBERS.name(), Topics.ADDRESS_MEMBERS.keySerde().serializer(),
                Topics.ADDRESS_MEMBERS.valueSerde().serializer());
        tasks = driver.createInputTopic(Topics.LIST_TASKS.name(), Topics.LIST_TASKS.keySerde().serializer(),
                Topics.LIST_TASKS.valueSerde().serializer());
        raw = driver.createOutputTopic(Topics.RAW.name(), Topics.RAW.keySerde().deserializer(),
                Topics.RAW.valueSerde().deserializer());
        progress = driver.createOutputTopic(Topics.LIST_TASK_PROGRESS.name(),
                Topics.LIST_TASK_PROGRESS.keySerde().deserializer(), Topics.LIST_TASK_PROGRESS.valueSerde().deserializer());
        events = driver.createInputTopic(Topics.DELIVERY_EVENTS.name(), Topics.DELIVERY_EVENTS.keySerde().serializer(),
                Topics.DELIVERY_EVENTS.valueSerde().serializer());
        counts = driver.createOutputTopic(Topics.LIST_TASK_COUNTS.name(), Topics.LIST_TASK_COUNTS.keySerde().deserializer(),
                Topics.LIST_TASK_COUNTS.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void member(final String apiUser, final String list, final String address, final Map<String, String> vars) {
        members.pipeInput(ListKeys.member(apiUser, list, address), AddressMember.newBuilder().setApiUser(apiUser)
                .setList(list).setMember(address).setName("").setVars(vars).setCreatedAt(NOW).setUpdatedAt(NOW).build());
    }

    private static ListTask task(final String id, final String list, final String template) {
        return ListTask.newBuilder().setTaskId(id).setApiUser("shop").setList(list).setTemplate(RawMessage.newBuilder()
                .setMessageId(id).setApiUser("shop").setMailFrom("news@shop.example").setRecipients(List.of())
                .setReceivedAt(NOW).setClientAddress("192.0.2.1").setClientHelo("").setSource("api")
                .setContent(ByteBuffer.wrap(template.getBytes(StandardCharsets.UTF_8))).build()).build();
    }

    private static final String TEMPLATE = "From: news@shop.example\r\nTo: " + LIST + "\r\nSubject: hi\r\n\r\n"
            + "You have %points% points.\r\n";

    @Test
    void shouldQueueEveryMemberOnceInSubmissionsOfAHundred() throws Exception {
        for (int i = 0; i < 250; i++) {
            member("shop", LIST, String.format("m%03d@x.example", i), Map.of("%points%", String.valueOf(i)));
        }
        member("shop", "other@maillist.example", "not-me@x.example", Map.of());
        member("brand", LIST, "not-me-either@x.example", Map.of()); // same address, another account's list
        members.pipeInput(ListKeys.member("shop", LIST, "m007@x.example"), null); // removed before the send

        tasks.pipeInput("t-1", task("1764_1_2_3.web-a-inbound", LIST, TEMPLATE));
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(raw.readValuesToList()).hasSize(2);
        final List<ListTaskProgress> first = progress.readValuesToList();
        assertThat(first.getLast().getStatus()).isEqualTo(ListTaskStatus.running);
        assertThat(first.getLast().getMembers()).isEqualTo(249);
        assertThat(first.getLast().getQueued()).isEqualTo(200);
        driver.advanceWallClockTime(Duration.ofMillis(200));

        final List<RawMessage> rest = raw.readValuesToList();
        assertThat(rest).hasSize(1);
        assertThat(rest.getFirst().getRecipients()).hasSize(49);
        assertThat(rest.getFirst().getMessageId()).isEqualTo("1764_1_2_3.web-a_l2-inbound");
        assertThat(rest.getFirst().getMailListTaskId()).isEqualTo("1764_1_2_3.web-a-inbound");
        final ListTaskProgress done = progress.readValuesToList().getLast();
        assertThat(done.getStatus()).isEqualTo(ListTaskStatus.done);
        assertThat(done.getQueued()).isEqualTo(249);

        // the same task read again (a producer retry, a replay) sends nothing
        tasks.pipeInput("t-1", task("1764_1_2_3.web-a-inbound", LIST, TEMPLATE));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(raw.readValuesToList()).isEmpty();
    }

    @Test
    void shouldGiveEachMemberItsOwnValues() throws Exception {
        member("shop", LIST, "ann@x.example", Map.of("%points%", "7"));
        member("shop", LIST, "bob@x.example", Map.of());
        tasks.pipeInput("t-2", task("t-2", LIST, TEMPLATE));
        driver.advanceWallClockTime(Duration.ofMillis(200));

        final List<RawMessage> out = raw.readValuesToList();
        assertThat(out).hasSize(1);
        final byte[] content = new byte[out.getFirst().getContent().remaining()];
        out.getFirst().getContent().duplicate().get(content);
        final XSmtpApi api = XSmtpApiHeader.read(content, 0, false);
        assertThat(api.to()).hasValue(List.of("ann@x.example", "bob@x.example"));
        assertThat(api.sub()).containsEntry("%points%", List.of("7", ""));
        assertThat(out.getFirst().getRecipients()).containsExactly("ann@x.example", "bob@x.example");
    }

    @Test
    void shouldFailATaskWhoseTemplateCarriesItsOwnRecipientsAndEndAnEmptyList() {
        member("shop", LIST, "ann@x.example", Map.of());
        final String withTo = "X-SMTPAPI: " + Base64.getEncoder().encodeToString(
                "{\"to\":[\"x@y.example\"],\"sub\":{\"%a%\":[\"1\"]}}".getBytes(StandardCharsets.UTF_8)) + "\r\n" + TEMPLATE;
        tasks.pipeInput("t-3", task("t-3", LIST, withTo));
        tasks.pipeInput("t-4", task("t-4", "empty@maillist.example", TEMPLATE));
        driver.advanceWallClockTime(Duration.ofMillis(200));

        final Map<String, ListTaskStatus> last = new java.util.HashMap<>();
        progress.readKeyValuesToList().forEach(kv -> last.put(kv.key, kv.value.getStatus()));
        assertThat(last).containsEntry("t-4", ListTaskStatus.done);
        // "to" in the template is overwritten by the members; a failure would be reported, not thrown
        final List<RawMessage> out = raw.readValuesToList();
        final Set<String> recipients = new HashSet<>();
        out.forEach(r -> recipients.addAll(r.getRecipients()));
        assertThat(recipients).containsExactly("ann@x.example");
        assertThat(new ArrayList<>(last.keySet())).contains("t-3");
    }

    private void event(final String task, final String emailId, final EventType type, final BounceClass bounce) {
        events.pipeInput("m-1", DeliveryEvent.newBuilder().setType(type).setMessageId("m-1").setEmailId(emailId)
                .setApiUser("shop").setTimestamp(NOW).setMailListTaskId(task).setBounceClass(bounce).build());
    }

    @Test
    void shouldCountEachEmailOncePerEventTypeForItsTask() {
        event("t-9", "m-10$a@x.example", EventType.request, null);
        event("t-9", "m-11$b@x.example", EventType.request, null);
        event("t-9", "m-10$a@x.example", EventType.delivered, null);
        event("t-9", "m-10$a@x.example", EventType.delivered, null); // written again after a crash
        event("t-9", "m-11$b@x.example", EventType.bounced, BounceClass.hard);
        event(null, "m-12$c@x.example", EventType.delivered, null); // not a list send
        event("t-8", "m-13$d@x.example", EventType.dropped, null);

        final Map<String, ListTaskCounts> last = new java.util.HashMap<>();
        counts.readKeyValuesToList().forEach(kv -> last.put(kv.key, kv.value));
        assertThat(last).containsOnlyKeys("t-9", "t-8");
        assertThat(last.get("t-9").getCounts()).containsExactlyInAnyOrderEntriesOf(
                Map.of("request", 2L, "delivered", 1L, "bounced", 1L));
        assertThat(last.get("t-9").getHardBounced()).isEqualTo(1);
        assertThat(last.get("t-8").getCounts()).containsExactlyEntriesOf(Map.of("dropped", 1L));
    }
}
