package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.Webhook;
import dev.mailpipe.schemas.WebhookFormat;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhooksCliIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Pattern APP_KEY = Pattern.compile("(?m)^appKey=([A-Za-z0-9]{32})$");
    private static final Pattern ID = Pattern.compile("(?m)^id=(wh_[A-Za-z0-9]{16})$");

    private record Run(int code, String out, String err) {
    }

    private static Run cli(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final List<String> all = new ArrayList<>(List.of(args));
        final int code = WebhooksCli.run(all.toArray(String[]::new),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static String group(final Pattern p, final String text) {
        final Matcher m = p.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

    @Test
    void shouldAddListRotateAndRemoveWebhooksOfAnAccount() {
        final Run added = cli("add", "--account", "acme", "--url", "https://hooks.acme.test/sc",
                "--events", "deliver,open,bounce");
        assertThat(added.code()).as(added.err()).isZero();
        final String id = group(ID, added.out());
        final String key = group(APP_KEY, added.out());
        final Run second = cli("add", "--account", "acme", "--url", "http://other.acme.test/", "--json-batch");
        assertThat(second.code()).isZero();

        final Run list = cli("list", "--account", "acme");
        assertThat(list.out()).contains(id).contains("https://hooks.acme.test/sc").contains("deliver,open,bounce")
                .contains("json_batch").doesNotContain(key);

        final Run rotated = cli("rotate-key", id);
        assertThat(rotated.code()).isZero();
        final String newKey = group(APP_KEY, rotated.out());
        assertThat(newKey).isNotEqualTo(key);
        try (WebhookStore store = WebhookStore.start(KAFKA.bootstrapServers(), "test")) {
            final Webhook hook = store.get(id).orElseThrow();
            assertThat(hook.getAppKey()).isEqualTo(newKey);
            assertThat(hook.getEvents()).containsExactly("deliver", "open", "bounce");
            assertThat(hook.getFormat()).isEqualTo(WebhookFormat.form);
            assertThat(store.ofAccount("acme")).hasSize(2);
        }

        assertThat(cli("remove", id).code()).isZero();
        assertThat(cli("list").out()).doesNotContain(id);
        assertThat(cli("remove", id).code()).isEqualTo(WebhooksCli.NOT_FOUND);
    }

    @Test
    void shouldTakeTheBootstrapServersAfterTheSubcommand() {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WebhooksCli.run(new String[] {"list", "-b", KAFKA.bootstrapServers()}, Map.of(),
                new PrintWriter(out), new PrintWriter(err));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("ID ");
    }

    @Test
    void shouldRefuseAnUnknownEventOrANonHttpUrl() {
        final Run badEvent = cli("add", "--account", "a", "--url", "https://x.test/", "--events", "delivered");
        assertThat(badEvent.code()).isEqualTo(2);
        assertThat(badEvent.err()).contains("unknown event 'delivered'");
        final Run badUrl = cli("add", "--account", "a", "--url", "file:///etc/passwd");
        assertThat(badUrl.code()).isEqualTo(2);
        assertThat(badUrl.err()).contains("http://");
    }
}
