package dev.mailpipe.expander.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.junit.jupiter.api.Test;

class QuotedPrintableTest {

    private static final String[] PIECES = {"a", "Z", " ", "\t", "=", ".", "-", "\r\n", "长", "é", "\u0001", "~",
            "%name%", "0123456789", "\r\n\r\n", "  ", "=\r\n"};

    private static byte[] decode(final byte[] encoded) throws IOException {
        try (QuotedPrintableInputStream in = new QuotedPrintableInputStream(new ByteArrayInputStream(encoded),
                DecodeMonitor.STRICT)) {
            return in.readAllBytes();
        }
    }

    @Test
    void shouldRoundTripThroughMime4jsDecoderWithShortLinesAndNoTrailingWhitespace() throws IOException {
        final Random random = new Random(42);
        for (int run = 0; run < 2000; run++) {
            final StringBuilder text = new StringBuilder();
            final int pieces = random.nextInt(300);
            for (int i = 0; i < pieces; i++) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            final byte[] original = text.toString().getBytes(StandardCharsets.UTF_8);

            final byte[] encoded = QuotedPrintable.encode(original);

            assertThat(decode(encoded)).as("round trip of %s", text).isEqualTo(original);
            final String ascii = new String(encoded, StandardCharsets.US_ASCII);
            assertThat(ascii.split("\r\n", -1)).allSatisfy(line -> {
                assertThat(line.length()).isLessThanOrEqualTo(76);
                assertThat(line).doesNotEndWith(" ").doesNotEndWith("\t").doesNotContain("\r").doesNotContain("\n");
                assertThat(line.chars()).allMatch(c -> c >= 32 && c <= 126 || c == '\t');
            });
        }
    }

    @Test
    void shouldEncodeTheUsualCases() {
        assertThat(encode("café = 1 \r\nok\t")).isEqualTo("caf=C3=A9 =3D 1=20\r\nok=09");
        assertThat(encode("x".repeat(80))).isEqualTo("x".repeat(75) + "=\r\n" + "x".repeat(5));
        assertThat(encode("x".repeat(76))).isEqualTo("x".repeat(76));
    }

    private static String encode(final String text) {
        return new String(QuotedPrintable.encode(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.US_ASCII);
    }
}
