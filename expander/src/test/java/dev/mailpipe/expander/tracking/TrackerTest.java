package dev.mailpipe.expander.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.tracking.TokenKeys;
import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.core.tracking.TrackingTokens;
import dev.mailpipe.schemas.TrackingFilters;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.junit.jupiter.api.Test;

/** The tracking rewrite of whole emails: MIME stays valid, untouched bytes stay, links carry signed tokens. */
class TrackerTest {

    private static final TrackingTokens TOKENS = new TrackingTokens(TokenKeys.parse(TokenKeys.format("k1", new byte[32])));
    private static final Tracker TRACKER = new Tracker("https://t.example.test/", TOKENS, true, "Unsubscribe");
    private static final TrackingToken BASE = new TrackingToken(TrackingKind.OPEN, "m-10$ben@ifaxin.com", "m-1",
            "api_user", "ben@ifaxin.com", null, "7", null, Map.of("SC-Custom-order", "42"));
    private static final TrackingFilters ALL = new TrackingFilters(true, true, true);
    private static final Pattern LINK = Pattern.compile("https://t\\.example\\.test/([ocu])/([A-Za-z0-9_-]+)");

    private static final String PDF = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString("%PDF-1.4 not really, but bytes that must not change\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1));

    private static final String MIXED = "From: Support <support@ifaxin.com>\r\n"
            + "To: ben@ifaxin.com\r\n"
            + "Subject: =?UTF-8?B?5L2g5aW9?=\r\n"
            + "List-Unsubscribe: <mailto:old@ifaxin.com>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
            + "\r\n"
            + "This is a preamble.\r\n"
            + "--outer\r\n"
            + "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
            + "\r\n"
            + "--alt\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n"
            + "\r\n"
            + "=E4=BA=B2=E7=88=B1=E7=9A=84Ben: see https://shop.test/offer?id=3D1 now.\r\n"
            + "--alt\r\n"
            + "Content-Type: text/html; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + b64("<html><body><p>亲爱的Ben</p><a href=\"https://shop.test/offer?id=1&amp;x=2\">offer</a> "
                    + "<a href=\"mailto:support@ifaxin.com\">mail us</a></body></html>\r\n")
            + "--alt--\r\n"
            + "--outer\r\n"
            + "Content-Type: application/pdf; name=\"a.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"a.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + PDF + "\r\n"
            + "--outer\r\n"
            + "Content-Type: text/plain; name=\"notes.txt\"\r\n"
            + "Content-Disposition: attachment\r\n"
            + "\r\n"
            + "an attached file with https://keep.test/ in it\r\n"
            + "--outer--\r\n"
            + "epilogue\r\n";

    private static String b64(final String text) {
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    private static byte[] track(final String email, final TrackingFilters filters) {
        return TRACKER.apply(email.getBytes(StandardCharsets.UTF_8), filters, BASE);
    }

    private static List<TrackingToken> tokens(final String text) {
        final List<TrackingToken> found = new ArrayList<>();
        final Matcher m = LINK.matcher(text);
        while (m.find()) {
            final Optional<TrackingToken> token = TOKENS.verify(m.group(2));
            assertThat(token).as("token of " + m.group()).isPresent();
            assertThat(token.get().kind().code()).isEqualTo(m.group(1).charAt(0));
            found.add(token.get());
        }
        return found;
    }

    @Test
    void shouldTrackEveryTextPartAndLeaveEverythingElseByteForByte() throws Exception {
        final String out = new String(track(MIXED, ALL), StandardCharsets.UTF_8);

        // untouched: preamble, the attachment, the attached text file, the epilogue, other header fields
        assertThat(out).contains("This is a preamble.\r\n--outer\r\n").contains(PDF)
                .contains("Content-Disposition: attachment\r\n\r\nan attached file with https://keep.test/ in it\r\n--outer--\r\nepilogue\r\n")
                .startsWith("From: Support <support@ifaxin.com>\r\nTo: ben@ifaxin.com\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\n");
        // RFC 8058 headers replace the sender's own List-Unsubscribe
        assertThat(out).doesNotContain("mailto:old@ifaxin.com");
        final Matcher header = Pattern.compile("\r\nList-Unsubscribe: <(https://t\\.example\\.test/u/[A-Za-z0-9_-]+)>\r\n"
                + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nThis is a preamble").matcher(out);
        assertThat(header.find()).as(out).isTrue();
        final TrackingToken unsubscribe = tokens(header.group(1)).getFirst();
        assertThat(unsubscribe.kind()).isEqualTo(TrackingKind.UNSUBSCRIBE);
        assertThat(unsubscribe.recipient()).isEqualTo("ben@ifaxin.com");
        assertThat(unsubscribe.customHeaders()).containsEntry("SC-Custom-order", "42");

        final List<Part> parts = Python.parts(out.getBytes(StandardCharsets.UTF_8));
        final String text = parts.stream().filter(p -> p.type().equals("text/plain") && p.filename() == null)
                .findFirst().orElseThrow().content();
        assertThat(text).startsWith("亲爱的Ben: see https://t.example.test/c/").endsWith(" now.\r\n\r\nUnsubscribe: "
                + header.group(1) + "\r\n");
        assertThat(tokens(text)).extracting(TrackingToken::url).containsExactly("https://shop.test/offer?id=1", null);

        final String html = parts.stream().filter(p -> p.type().equals("text/html")).findFirst().orElseThrow().content();
        assertThat(html).startsWith("<html><body><p>亲爱的Ben</p><a href=\"https://t.example.test/c/")
                .contains("<a href=\"mailto:support@ifaxin.com\">mail us</a>")
                .endsWith("\" width=\"1\" height=\"1\" alt=\"\" border=\"0\" style=\"display:block;width:1px;height:1px;border:0\">"
                        + "</body></html>\r\n");
        assertThat(tokens(html)).extracting(t -> t.kind() + " " + t.url()).containsExactly(
                "CLICK https://shop.test/offer?id=1&x=2", "UNSUBSCRIBE null", "OPEN null");
        assertThat(parts.stream().filter(p -> "a.pdf".equals(p.filename())).findFirst().orElseThrow().content())
                .isEqualTo(new String(Base64.getMimeDecoder().decode(PDF), StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldReturnTheSameBytesWhenEveryFilterIsOff() {
        final byte[] email = MIXED.getBytes(StandardCharsets.UTF_8);

        assertThat(TRACKER.apply(email, new TrackingFilters(false, false, false), BASE)).isSameAs(email);
    }

    @Test
    void shouldUseThePlaceholderInsteadOfFootersAndLeaveOtherPartsAlone() throws Exception {
        final String email = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nplain without a link\r\n"
                + "--b\r\nContent-Type: text/html\r\n\r\n<p><a href=\"%unsubscribe_url%\">leave</a></p>\r\n--b--\r\n";

        final String out = new String(track(email, new TrackingFilters(true, false, false)), StandardCharsets.UTF_8);

        assertThat(out).contains("--b\r\nContent-Type: text/plain\r\n\r\nplain without a link\r\n--b\r\n");
        assertThat(out).containsPattern("<p><a href=\"https://t\\.example\\.test/u/[A-Za-z0-9_-]+\">leave</a></p>\r\n--b--")
                .doesNotContain("<p style=").doesNotContain("link\r\n\r\nUnsubscribe");
        assertThat(Python.parts(out.getBytes(StandardCharsets.UTF_8))).hasSize(2);
    }

    @Test
    void shouldReencodeAPlainMessageWhenTheFooterNeedsAnotherCharset() throws Exception {
        final Tracker tracker = new Tracker("https://t.example.test", TOKENS, true, "退订 Unsubscribe");
        final byte[] email = "Subject: hi\r\nTo: ben@ifaxin.com\r\n\r\nHello.\r\n".getBytes(StandardCharsets.US_ASCII);

        final String out = new String(tracker.apply(email, new TrackingFilters(true, false, false), BASE),
                StandardCharsets.US_ASCII);

        assertThat(out).startsWith("Subject: hi\r\nTo: ben@ifaxin.com\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\nList-Unsubscribe: <https://t.example.test/u/");
        final List<Part> parts = Python.parts(out.getBytes(StandardCharsets.US_ASCII));
        assertThat(parts.getFirst().content()).startsWith("Hello.\r\n\r\n退订 Unsubscribe: https://t.example.test/u/");
    }

    @Test
    void shouldUseTheAccountsFooterTextOverTheDefault() throws Exception {
        final Tracker tracker = new Tracker("https://t.example.test", TOKENS, true, "Unsubscribe");
        final byte[] email = ("Subject: hi\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                + "<html><body><p>Hello.</p></body></html>\r\n").getBytes(StandardCharsets.UTF_8);
        final TrackingFilters subscription = new TrackingFilters(true, false, false);

        final List<Part> own = Python.parts(tracker.apply(email, subscription, BASE, "Keine Post mehr von Acme"));
        final List<Part> blank = Python.parts(tracker.apply(email, subscription, BASE, "  "));

        assertThat(own.getFirst().content()).containsPattern(
                "<a href=\"https://t\\.example\\.test/u/[A-Za-z0-9_-]+\"[^>]*>Keine Post mehr von Acme</a>")
                .doesNotContain(">Unsubscribe<");
        assertThat(blank.getFirst().content()).contains(">Unsubscribe</a>");
    }

    @Test
    void shouldKeepLinesOfASevenBitPartWithinTheLimit() throws Exception {
        final String longLine = "<p>" + "<a href=\"https://shop.test/p/%d\">x</a> ".repeat(1).repeat(1);
        final StringBuilder html = new StringBuilder("<html><body>");
        for (int i = 0; i < 12; i++) {
            html.append(String.format(longLine, i));
        }
        html.append("</body></html>\r\n");
        final String email = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=us-ascii\r\n"
                + "Content-Transfer-Encoding: 7bit\r\n\r\n" + html;

        final byte[] out = track(email, new TrackingFilters(false, true, true));

        for (final String line : new String(out, StandardCharsets.US_ASCII).split("\r\n")) {
            assertThat(line.length()).isLessThanOrEqualTo(998);
        }
        final String decoded = Python.parts(out).getFirst().content();
        assertThat(tokens(decoded)).extracting(TrackingToken::url).hasSize(13)
                .contains("https://shop.test/p/0", "https://shop.test/p/11");
    }

    @Test
    void shouldDecodeQuotedPrintableSoftBreaksInsideALink() throws Exception {
        final String email = "Subject: x\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                + "\r\n<a href=3D\"https://shop.test/a-very-long-=\r\npath\">x</a>\r\n";

        final byte[] out = track(email, new TrackingFilters(false, false, true));

        final String decoded = new String(new QuotedPrintableInputStream(new ByteArrayInputStream(
                new String(out, StandardCharsets.US_ASCII).split("\r\n\r\n", 2)[1].getBytes(StandardCharsets.US_ASCII)),
                DecodeMonitor.SILENT).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tokens(decoded)).extracting(TrackingToken::url).containsExactly("https://shop.test/a-very-long-path");
    }

    record Part(String type, String filename, String content) {
    }

    /** Python's email package as an independent judge: parses, reports defects, decodes each leaf. */
    static final class Python {
        private static final String SCRIPT = String.join("\n",
                "import sys, json, email",
                "from email import policy",
                "m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)",
                "out = []",
                "for part in m.walk():",
                "    for d in part.defects:",
                "        print('DEFECT ' + part.get_content_type() + ': ' + repr(d), file=sys.stderr)",
                "    if part.is_multipart():",
                "        continue",
                "    c = part.get_content()",
                "    if isinstance(c, bytes):",
                "        c = c.decode('latin-1')",
                "    out.append({'type': part.get_content_type(), 'filename': part.get_filename(), 'content': c})",
                "print(json.dumps(out))");

        static List<Part> parts(final byte[] email) throws IOException, InterruptedException {
            final Path python = Path.of("/usr/bin/python3");
            assertThat(Files.isExecutable(python)).as("/usr/bin/python3 (see .ci/system-tools)").isTrue();
            final Process p = new ProcessBuilder(python.toString(), "-c", SCRIPT).start();
            p.getOutputStream().write(email);
            p.getOutputStream().close();
            final String out;
            final String err;
            try (InputStream stdout = p.getInputStream(); InputStream stderr = p.getErrorStream()) {
                out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
                err = new String(stderr.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(err).as("Python's email parser: defects or errors").isEmpty();
            assertThat(p.exitValue()).isZero();
            final List<Part> parts = new ArrayList<>();
            for (final com.fasterxml.jackson.databind.JsonNode node : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(out)) {
                parts.add(new Part(node.get("type").asText(), node.get("filename").isNull() ? null
                        : node.get("filename").asText(), node.get("content").asText().replace("\n", "\r\n")
                        .replace("\r\r\n", "\r\n")));
            }
            return parts;
        }
    }
}
