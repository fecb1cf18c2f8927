package dev.mailpipe.expander.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 5322 2.1.1 for parts mailpipe copies unchanged: a line over 998 octets is re-encoded. */
class LongLinesTest {

    private static final String LONG = "x".repeat(1500) + " end";

    private static byte[] render(final String message) {
        return MessageTemplate.parse(message.getBytes(StandardCharsets.UTF_8), Variables.none(), false)
                .render(new Personal("ben@example.test", "<m.0@mail.example.test>", new String[0]));
    }

    @Test
    void shouldReencodeASinglePartMessageWithALongLine() throws Exception {
        final byte[] out = render("From: joe@example.test\r\nTo: ben@example.test\r\nSubject: long\r\n\r\n"
                + "short line\r\n" + LONG + "\r\n");
        assertThat(longestLine(out)).isLessThanOrEqualTo(998);
        assertThat(new String(out, StandardCharsets.US_ASCII))
                .contains("Content-Transfer-Encoding: quoted-printable\r\n").contains("MIME-Version: 1.0\r\n");
        assertThat(python(out)).containsExactly("defects=0", "text/plain:short line\n" + LONG + "\n");
    }

    @Test
    void shouldReencodeEachLongPartOfAMultipartAndLeaveTheOthers() throws Exception {
        final String message = "From: joe@example.test\r\nTo: ben@example.test\r\nSubject: parts\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "<p>" + LONG + "</p>\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nfine\r\n"
                + "--b1\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=a.json\r\n\r\n"
                + "{\"a\":\"" + LONG + "\"}\r\n"
                + "--b1--\r\n";
        final byte[] out = render(message);
        assertThat(longestLine(out)).isLessThanOrEqualTo(998);
        final String text = new String(out, StandardCharsets.US_ASCII);
        assertThat(text).contains("Content-Transfer-Encoding: quoted-printable\r\n")
                .contains("Content-Transfer-Encoding: base64\r\n")
                .contains("Content-Type: text/plain\r\n\r\nfine\r\n");
        // the CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1): parts end without one
        assertThat(python(out)).containsExactly("defects=0", "text/html:<p>" + LONG + "</p>", "text/plain:fine",
                "application/json:{\"a\":\"" + LONG + "\"}");
    }

    @Test
    void shouldKeepTheWordsOfALongEightBitLine() throws Exception {
        final String words = "word ".repeat(400).strip();
        final byte[] out = render("From: joe@example.test\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + words + "\r\n");
        assertThat(longestLine(out)).isLessThanOrEqualTo(998);
        assertThat(python(out)).containsExactly("defects=0", "text/plain:" + words + "\n");
    }

    @Test
    void shouldLeaveMessagesWithinTheLimitByteForByte() {
        final String message = "From: joe@example.test\r\nSubject: ok\r\nMessage-ID: <a@b.test>\r\n\r\n"
                + "y".repeat(998) + "\r\n";
        assertThat(new String(render(message), StandardCharsets.UTF_8))
                .isEqualTo(message.replace("<a@b.test>", "<m.0@mail.example.test>"));
    }

    private static int longestLine(final byte[] message) {
        int longest = 0;
        for (final String line : new String(message, StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
            longest = Math.max(longest, line.length());
        }
        return longest;
    }

    /** Python's email parser: the number of defects, then each leaf part as type:decoded content. */
    private static List<String> python(final byte[] message) throws Exception {
        final String script = String.join("\n",
                "import sys, email, email.policy",
                "m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)",
                "parts = [p for p in m.walk() if not p.is_multipart()]",
                "print('defects=%d' % sum(len(p.defects) for p in m.walk()))",
                "for p in parts:",
                "    payload = p.get_payload(decode=True).decode('utf-8')",
                "    print(p.get_content_type() + ':' + payload.replace('\\r\\n', '\\n') if p.get_content_maintype() == 'text'"
                        + " else p.get_content_type() + ':' + payload, end='\\x00')");
        final Process process = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(message);
        }
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        final int firstLine = out.indexOf('\n');
        final List<String> result = new java.util.ArrayList<>();
        result.add(out.substring(0, firstLine));
        for (final String part : out.substring(firstLine + 1).split("\u0000")) {
            if (!part.isEmpty()) {
                result.add(part);
            }
        }
        return result;
    }
}
