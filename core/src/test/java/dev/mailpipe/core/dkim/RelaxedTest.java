package dev.mailpipe.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RFC 6376 §3.4.5's example, and the edge cases of the body rule. */
class RelaxedTest {

    @Test
    void shouldCanonicaliseTheRfcExampleHeaders() {
        assertThat(Relaxed.header("A: X\r\n")).isEqualTo("a:X\r\n");
        assertThat(Relaxed.header("B : Y\t\r\n\tZ  \r\n")).isEqualTo("b:Y Z\r\n");
    }

    @Test
    void shouldCanonicaliseTheRfcExampleBody() throws Exception {
        assertThat(body(" C \r\nD \t E\r\n\r\n\r\n")).isEqualTo(sha(" C\r\nD E\r\n"));
    }

    @Test
    void shouldHashAnEmptyBodyAsNothing() throws Exception {
        assertThat(body("")).isEqualTo(sha(""));
        assertThat(body("\r\n\r\n")).isEqualTo(sha(""));
    }

    @Test
    void shouldKeepInnerEmptyLines() throws Exception {
        assertThat(body("a\r\n\r\nb\r\n")).isEqualTo(sha("a\r\n\r\nb\r\n"));
    }

    private static String body(final String text) throws Exception {
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Relaxed.body(text.getBytes(StandardCharsets.ISO_8859_1), 0, sha);
        return Base64.getEncoder().encodeToString(sha.digest());
    }

    private static String sha(final String text) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
