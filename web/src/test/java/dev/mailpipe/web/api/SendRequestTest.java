package dev.mailpipe.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SendRequestTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private static Map<String, String> form(final String... kv) {
        final Map<String, String> m = new HashMap<>();
        m.put("from", "Shop <shop@example.com>");
        m.put("subject", "Grüße");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String text(final SendRequest.Mapped m) {
        return new String(m.content(), StandardCharsets.UTF_8);
    }

    @Test
    void toAndCcAreShownBccIsNotAndAllAreRecipients() throws Exception {
        final SendRequest.Mapped m = SendRequest.map(form("to", "a@x.org; b@x.org", "cc", "c@x.org",
                "bcc", "secret@x.org", "html", "<p>hi</p>", "plain", "hi", "fromName", "The Shop",
                "replyTo", "help@example.com", "headers", "{\"X-Campaign\":\"wïnter\"}", "labelId", "7"), NOW);
        assertThat(m.mailFrom()).isEqualTo("shop@example.com");
        assertThat(m.recipients()).containsExactly("a@x.org", "b@x.org", "c@x.org", "secret@x.org");
        assertThat(m.label()).isEqualTo("7");
        final String t = text(m);
        assertThat(t).contains("To: a@x.org, b@x.org").contains("Cc: c@x.org").doesNotContain("secret@x.org")
                .contains("From: The Shop <shop@example.com>").contains("Reply-To: help@example.com")
                .contains("Subject: =?").contains("X-Campaign: =?")
                .contains("Content-Type: text/html").doesNotContain("text/plain")
                .contains("Content-Transfer-Encoding: base64").doesNotContain(XSmtpApiHeader.NAME);
    }

    @Test
    void xsmtpapiToSendsSeparatelyAndIgnoresToCcBcc() throws Exception {
        final SendRequest.Mapped m = SendRequest.map(form("to", "ignored@x.org", "cc", "ignored2@x.org",
                "plain", "hi %name%", "xsmtpapi",
                "{\"to\":[\"p@x.org\",\"q@x.org\"],\"sub\":{\"%name%\":[\"P\",\"Q\"]}}"), NOW);
        assertThat(m.recipients()).containsExactly("p@x.org", "q@x.org");
        final String t = text(m);
        assertThat(t).doesNotContain("ignored").doesNotContain("\nTo:").contains("text/plain");
        final XSmtpApi api = XSmtpApiHeader.read(m.content(), 2, false);
        assertThat(api.to()).contains(java.util.List.of("p@x.org", "q@x.org"));
        assertThat(api.sub()).containsEntry("%name%", java.util.List.of("P", "Q"));
    }

    @Test
    void refusesWhatSendCloudRefuses() {
        assertThatThrownBy(() -> SendRequest.map(form("to", "a@x.org"), NOW)).hasMessageContaining("html and plain");
        assertThatThrownBy(() -> SendRequest.map(form("plain", "x"), NOW)).hasMessageContaining("to is required");
        assertThatThrownBy(() -> SendRequest.map(form("to", "not an address", "plain", "x"), NOW))
                .hasMessageContaining("to: not an address");
        final StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            many.append("r").append(i).append("@x.org;");
        }
        assertThatThrownBy(() -> SendRequest.map(form("to", many.toString(), "plain", "x"), NOW))
                .hasMessageContaining("at most 100");
        assertThatThrownBy(() -> SendRequest.map(form("to", "a@x.org", "plain", "x", "xsmtpapi", "[1]"), NOW))
                .hasMessageContaining("xsmtpapi");
        assertThatThrownBy(() -> SendRequest.map(form("to", "a@x.org", "plain", "x", "xsmtpapi",
                "{\"to\":[\"a@x.org\"],\"sub\":{\"%n%\":[]}}"), NOW)).hasMessageContaining("xsmtpapi");
        assertThatThrownBy(() -> SendRequest.map(form("to", "a@x.org", "plain", "x", "headers", "{\"From\":\"e@v.il\"}"),
                NOW)).hasMessageContaining("set by the API");
        assertThatThrownBy(() -> SendRequest.map(form("to", "a@x.org", "plain", "x", "headers", "{\"X-A\":\"1\\r\\nBcc: e@v.il\"}"),
                NOW)).hasMessageContaining("line break");
    }

    @Test
    void formParsing() throws Exception {
        assertThat(ApiRoutes.parse("a=1&b=%E4%BD%A0+x&a=2&c")).containsEntry("a", "1").containsEntry("b", "你 x")
                .containsEntry("c", "");
        assertThatThrownBy(() -> ApiRoutes.parse("a=%zz")).isInstanceOf(ApiException.class);
    }

    @Test
    void xsmtpapiAsPythonJsonDumpsWritesIt() throws Exception {
        final SendRequest.Mapped m = SendRequest.map(form("to", "a@x.org", "plain", "x", "xsmtpapi",
                "{\"to\": [\"p@x.example\", \"q@x.example\"], \"sub\": {\"%name%\": [\"P\", \"Q\"]}}"), NOW);
        assertThat(m.recipients()).containsExactly("p@x.example", "q@x.example");
    }

    @Test
    void multipartFormWithAttachmentsBecomesMultipartMixed() throws Exception {
        final String body = String.join("\r\n",
                "--XyZ",
                "Content-Disposition: form-data; name=\"to\"",
                "",
                "a@x.org",
                "--XyZ",
                "Content-Disposition: form-data; name=\"html\"",
                "",
                "<p>Grüße</p>",
                "--XyZ",
                "Content-Disposition: form-data; name=\"attachments\"; filename=\"C:\\tmp\\report.pdf\"",
                "Content-Type: application/pdf",
                "",
                "%PDF-1.4 \u0000binary",
                "--XyZ--", "");
        final FormData.Parsed parsed = FormData.parse("multipart/form-data; boundary=XyZ",
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.fields()).containsEntry("to", "a@x.org").containsEntry("html", "<p>Grüße</p>");
        assertThat(parsed.attachments()).hasSize(1);
        final Map<String, String> f = form();
        f.putAll(parsed.fields());
        final String t = text(SendRequest.map(f, parsed.attachments(), NOW));
        assertThat(t).contains("multipart/mixed").contains("text/html").contains("application/pdf")
                .contains("filename=report.pdf").contains(java.util.Base64.getEncoder()
                        .encodeToString("%PDF-1.4 \u0000binary".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> FormData.parse("multipart/form-data", "junk".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class);
    }
}
