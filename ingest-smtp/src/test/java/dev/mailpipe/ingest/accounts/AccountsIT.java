package dev.mailpipe.ingest.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AccountsIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Pattern KEY = Pattern.compile("api_key:\\s+(\\S+)");

    private record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void createTheAccountsTopicAsTheAppDoes() {
        TopicProvisioner.ensure(KAFKA.bootstrapServers(), 1, List.of(AccountStore.topicSpec()));
    }

    private static Run cli(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AccountsCli.run(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()),
                new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static String key(final Run run) {
        final Matcher m = KEY.matcher(run.out());
        assertThat(m.find()).as(run.out() + run.err()).isTrue();
        return m.group(1);
    }

    @Test
    void shouldAddListRotateAndDisableAccountsSeenByEveryReplica() {
        final Run added = cli("add", "acme", "--open-tracking");
        assertThat(added.code()).as(added.err()).isZero();
        final String firstKey = key(added);
        assertThat(firstKey).matches("[A-Za-z0-9]{32}");

        try (AccountStore replica = AccountStore.start(KAFKA.bootstrapServers(), "replica-1")) {
            assertThat(replica.verify("acme", firstKey)).isTrue();
            assertThat(replica.verify("acme", "wrong")).isFalse();
            assertThat(replica.verify("nobody", firstKey)).isFalse();
            assertThat(replica.get("acme").orElseThrow().filters().openTracking()).isTrue();
            assertThat(replica.trackingDefaults("acme")).isEqualTo(new TrackingDefaults(false, true, false));
            assertThat(replica.trackingDefaults("nobody")).isNull();

            final Run list = cli("list");
            assertThat(list.out()).contains("acme").contains("open=true").doesNotContain(firstKey);
            assertThat(cli("add", "acme").code()).isEqualTo(AccountsCli.EXISTS);

            final String secondKey = key(cli("rotate", "acme"));
            assertThat(secondKey).isNotEqualTo(firstKey);
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    replica.verify("acme", secondKey) && !replica.verify("acme", firstKey));

            assertThat(cli("disable", "acme").out()).contains("acme disabled");
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !replica.verify("acme", secondKey));
            assertThat(cli("enable", "acme").code()).isZero();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> replica.verify("acme", secondKey));
            assertThat(cli("rotate", "ghost").code()).isEqualTo(AccountsCli.NOT_FOUND);
        }
    }

    @Test
    void shouldSetAndResetTheAccountsUnsubscribeFooterSeenByEveryReplica() {
        assertThat(cli("add", "footers", "--subscription-tracking", "--unsubscribe-footer", "退订 Acme").code()).isZero();
        try (AccountStore replica = AccountStore.start(KAFKA.bootstrapServers(), "replica-footer")) {
            assertThat(replica.trackingDefaults("footers"))
                    .isEqualTo(new TrackingDefaults(true, false, false, "退订 Acme"));
            assertThat(cli("list").out()).containsPattern("footers .*退订 Acme");

            final Run set = cli("footer", "footers", "No more mail from Acme");
            assertThat(set.code()).as(set.err()).isZero();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> "No more mail from Acme".equals(
                    replica.trackingDefaults("footers").unsubscribeFooterText()));
            assertThat(replica.trackingDefaults("footers").subscriptionTracking()).isTrue();

            assertThat(cli("footer", "footers", "--default").code()).isZero();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    replica.trackingDefaults("footers").unsubscribeFooterText() == null);
            assertThat(cli("list").out()).containsPattern("footers .*\\(default\\)");

            assertThat(cli("footer", "footers", "two\nlines").code()).isEqualTo(2);
            assertThat(cli("footer", "footers").code()).isEqualTo(2);
            assertThat(cli("footer", "ghost", "x").code()).isEqualTo(AccountsCli.NOT_FOUND);
        }
    }

    @Test
    void shouldStoreOnlyHashedKeys() {
        final String key = key(cli("add", "hashed-user"));
        final var records = KAFKA.cluster().readAll(AccountStore.TOPIC, Duration.ofSeconds(2));
        assertThat(records).isNotEmpty();
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            final String value = new String(r.value(), StandardCharsets.UTF_8);
            assertThat(value).doesNotContain(key);
            if (new String(r.key(), StandardCharsets.UTF_8).equals("hashed-user")) {
                assertThat(value).contains("pbkdf2-sha256$210000$");
            }
        }
    }

    @Test
    void shouldRejectBadNames() {
        assertThat(cli("add", "user#label").code()).isEqualTo(2);
    }

    @Test
    void shouldEnsureTheFirstAccountFromTheEnvironmentIdempotently() {
        try (AccountStore store = AccountStore.start(KAFKA.bootstrapServers(), "ensure")) {
            store.ensure("env-user", "env-key");
            store.ensure("env-user", "env-key");
            store.ensure("env-user", "new-key");
            assertThat(store.verify("env-user", "new-key")).isTrue();
            assertThat(store.verify("env-user", "env-key")).isFalse();
        }
        final long writes = KAFKA.cluster().readAll(AccountStore.TOPIC, Duration.ofSeconds(2)).stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("env-user")).count();
        assertThat(writes).isEqualTo(2);
    }
}
