package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.core.lists.ListKeys;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.schemas.ListTask;
import dev.mailpipe.schemas.ListTaskCounts;
import dev.mailpipe.schemas.ListTaskProgress;
import dev.mailpipe.schemas.ListTaskStatus;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TopicCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SendCloud's address-list calls with Python requests and curl, as its docs use them: lists and
 * members in Kafka, a send to lists answered at once with task ids and queued on mail.list-tasks in
 * the list's partition, taskinfo from mail.list-tasks.progress.
 */
class AddressListApiIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "k3yOfTheShop0123456789abcdefABCD";
    private static WebApp web;
    private static String base;

    @BeforeAll
    static void start() {
        TopicProvisioner.ensure(KAFKA.bootstrapServers(), 1, List.of(AccountStore.topicSpec()));
        try (AccountStore accounts = AccountStore.start(KAFKA.bootstrapServers(), "test-accounts")) {
            accounts.ensure("shop", KEY);
            accounts.ensure("rival", KEY);
        }
        web = WebApp.start(new WebConfig(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.replication.factor", "1",
                "topic.partitions", "3",
                "web.host", "127.0.0.1",
                "web.port", "0",
                "sender.domains", "any",
                "tracking.secret", TestTokens.newSecret("k1"))), new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + web.port() + "/apiv2/";
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
    }

    @Test
    void listsAndMembersWithPythonRequests() throws Exception {
        final String script = String.join("\n",
                "import requests, sys, json",
                "base, key = sys.argv[1], sys.argv[2]",
                "auth = {'apiUser': 'shop', 'apiKey': key}",
                "def call(path, **fields):",
                "    r = requests.post(base + path, data=dict(auth, **fields), timeout=30)",
                "    return r.status_code, r.json()",
                "print(call('addresslist/add', address='Team@MailList.example', name='Team', desc='everyone')[1]['info']['data']['address'])",
                "print(call('addresslist/add', address='team@maillist.example')[0])",
                "members = ';'.join('m%02d@x.example' % i for i in range(30))",
                "names = ';'.join('Name %d' % i for i in range(30))",
                "vars = json.dumps([{'%money%': str(i * 10)} for i in range(30)])",
                "print(call('addressmember/add', address='team@maillist.example', members=members, names=names, vars=vars)[1]['info'])",
                "s, page = call('addressmember/list', address='team@maillist.example', start='10', limit='5')",
                "print(page['info']['count'], [m['member'] for m in page['info']['dataList']])",
                "print(page['info']['dataList'][0]['vars'], page['info']['dataList'][0]['name'])",
                "print(call('addressmember/update', address='team@maillist.example', members='m10@x.example;nobody@x.example', names='Ten;No', vars=json.dumps([{'%money%': '999'}, {}]))[1]['info'])",
                "print(call('addressmember/delete', address='team@maillist.example', members='m11@x.example')[1]['info'])",
                "s, page = call('addressmember/list', address='team@maillist.example', start='10', limit='2')",
                "print(page['info']['count'], [(m['member'], m['name'], m['vars']) for m in page['info']['dataList']])",
                "print(call('addresslist/update', address='team@maillist.example', name='The team')[1]['info'])",
                "s, lists = call('addresslist/list', address='team@maillist.example;unknown@maillist.example')",
                "print(lists['info']['count'], lists['info']['dataList'][0]['name'])",
                "r = requests.get(base + 'addresslist/list', params={'apiUser': 'rival', 'apiKey': key}, timeout=30)",
                "print(r.status_code, r.json()['info']['count'])",
                "print(call('addressmember/list', address='nolist@maillist.example')[0])",
                "print(call('addressmember/add', address='team@maillist.example', members='not an address')[0])");
        final List<String> out = run("/usr/bin/python3", "-c", script, base, KEY).lines().toList();
        assertThat(out.get(0)).isEqualTo("team@maillist.example");
        assertThat(out.get(1)).isEqualTo("400");
        assertThat(out.get(2)).isEqualTo("{'count': 30}");
        assertThat(out.get(3)).isEqualTo("30 ['m10@x.example', 'm11@x.example', 'm12@x.example', 'm13@x.example', "
                + "'m14@x.example']");
        assertThat(out.get(4)).isEqualTo("{'%money%': '100'} Name 10");
        assertThat(out.get(5)).as("only members on the list are updated").isEqualTo("{'count': 1}");
        assertThat(out.get(6)).isEqualTo("{'count': 1}");
        assertThat(out.get(7)).isEqualTo("29 [('m10@x.example', 'Ten', {'%money%': '999'}), "
                + "('m12@x.example', 'Name 12', {'%money%': '120'})]");
        assertThat(out.get(8)).isEqualTo("{'count': 1}");
        assertThat(out.get(9)).isEqualTo("1 The team");
        assertThat(out.get(10)).as("another account sees none of it").isEqualTo("200 0");
        assertThat(out.get(11)).isEqualTo("404");
        assertThat(out.get(12)).isEqualTo("400");
    }

    @Test
    void aSendToListsAnswersAtOnceWithOneTaskPerListAndTaskinfoFollowsTheProgress() throws Exception {
        for (final String list : List.of("a@lists.example", "b@lists.example")) {
            assertThat(JSON.readTree(run("curl", "-sS", base + "addresslist/add", "-d", "apiUser=shop",
                    "--data-urlencode", "apiKey=" + KEY, "-d", "address=" + list)).get("result").asBoolean()).isTrue();
        }
        try (TopicCollector<String, ListTask> tasks = KAFKA.cluster().collector(Topics.LIST_TASKS.name(),
                Topics.LIST_TASKS.keySerde().deserializer(), Topics.LIST_TASKS.valueSerde().deserializer())) {
            final JsonNode sent = JSON.readTree(run("curl", "-sS", base + "mail/send", "-d", "apiUser=shop",
                    "--data-urlencode", "apiKey=" + KEY, "--data-urlencode", "from=news@shop.example",
                    "--data-urlencode", "to=a@lists.example;b@lists.example", "-d", "useAddressList=true",
                    "--data-urlencode", "subject=Hello %name%", "--data-urlencode", "html=<p>%money% points</p>"));
            assertThat(sent.get("result").asBoolean()).as(sent.toString()).isTrue();
            final List<String> ids = new ArrayList<>();
            sent.get("info").get("maillistTaskId").forEach(n -> ids.add(n.asText()));
            assertThat(ids).hasSize(2).doesNotHaveDuplicates();
            assertThat(sent.get("info").get("addressListTaskId")).isEqualTo(sent.get("info").get("maillistTaskId"));

            final List<ConsumerRecord<String, ListTask>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                records.addAll(tasks.poll());
                return records.size() >= 2;
            });
            for (final ConsumerRecord<String, ListTask> r : records) {
                assertThat(ids).contains(r.key());
                assertThat(r.partition()).isEqualTo(ListKeys.partition("shop", r.value().getList(), 3));
                assertThat(r.value().getTemplate().getRecipients()).isEmpty();
                assertThat(r.value().getTemplate().getSource()).isEqualTo("api");
                final ByteBuffer content = r.value().getTemplate().getContent();
                final byte[] bytes = new byte[content.remaining()];
                content.duplicate().get(bytes);
                assertThat(XSmtpApiHeader.read(bytes, 1, false).to()).isEmpty();
            }

            // taskinfo: unknown until the expander reports, then its progress; never another account's
            final String info = base + "mail/taskinfo?apiUser=shop&apiKey=" + KEY + "&maillistTaskId=" + ids.get(0);
            assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", info)).isEqualTo("404");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    dev.mailpipe.platform.KafkaDefaults.producer(KAFKA.bootstrapServers(), "progress-writer"),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.LIST_TASK_PROGRESS.name(), ids.get(0),
                        Topics.LIST_TASK_PROGRESS.valueSerde().serializer().serialize("t", ListTaskProgress.newBuilder()
                                .setTaskId(ids.get(0)).setApiUser("shop").setList("a@lists.example")
                                .setStatus(ListTaskStatus.running).setMembers(10_000).setQueued(4_200)
                                .setCreatedAt(Instant.now()).setUpdatedAt(Instant.now()).build()))).get();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                final JsonNode task = JSON.readTree(run("curl", "-sS", info));
                assertThat(task.get("info").get("status").asText()).isEqualTo("running");
                assertThat(task.get("info").get("total").asLong()).isEqualTo(10_000);
                assertThat(task.get("info").get("queued").asLong()).isEqualTo(4_200);
                assertThat(task.get("info").get("delivered").asLong()).isZero();
            });
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    dev.mailpipe.platform.KafkaDefaults.producer(KAFKA.bootstrapServers(), "counts-writer"),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.LIST_TASK_COUNTS.name(), ids.get(0),
                        Topics.LIST_TASK_COUNTS.valueSerde().serializer().serialize("t", ListTaskCounts.newBuilder()
                                .setTaskId(ids.get(0)).setCounts(Map.of("delivered", 4_000L, "bounced", 12L,
                                        "spam_report", 1L)).setHardBounced(9).setUpdatedAt(Instant.now()).build())))
                        .get();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                final JsonNode task = JSON.readTree(run("curl", "-sS", info)).get("info");
                assertThat(task.get("delivered").asLong()).isEqualTo(4_000);
                assertThat(task.get("bounced").asLong()).isEqualTo(12);
                assertThat(task.get("hardBounced").asLong()).isEqualTo(9);
                assertThat(task.get("spamReported").asLong()).isEqualTo(1);
                assertThat(task.get("dropped").asLong()).isZero();
            });
            assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    info.replace("apiUser=shop", "apiUser=rival"))).isEqualTo("404");
        }
        // a list that does not exist, too many lists, and X-SMTPAPI recipients are refused
        assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", base + "mail/send", "-d", "apiUser=shop",
                "--data-urlencode", "apiKey=" + KEY, "-d", "from=news@shop.example", "-d", "to=nope@lists.example",
                "-d", "useAddressList=true", "-d", "subject=x", "-d", "plain=x")).isEqualTo("400");
        assertThat(run("curl", "-sS", base + "mail/send", "-d", "apiUser=shop", "--data-urlencode", "apiKey=" + KEY,
                "-d", "from=news@shop.example", "-d", "to=a@lists.example", "-d", "useAddressList=true", "-d", "subject=x",
                "-d", "plain=x", "--data-urlencode", "xsmtpapi={\"to\":[\"x@y.example\"]}")).contains("\"statusCode\":400")
                .contains("members");
    }

    private static String run(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out.strip();
    }
}
