package dev.mailpipe.ingest.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataDecoderTest {

    private static DataDecoder decodeBytewise(final String raw, final long max) {
        final DataDecoder d = new DataDecoder(max, 1000);
        final byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length && !d.isDone(); i++) {
            assertThat(d.feed(b, i, 1)).isEqualTo(1);
        }
        return d;
    }

    @Test
    void shouldEndOnlyAtCrLfDotCrLfEvenAcrossChunks() {
        final DataDecoder d = decodeBytewise("a\r\n.\r\n", 100);
        assertThat(d.isDone()).isTrue();
        assertThat(((DataOutcome.Complete) d.outcome()).content()).asString().isEqualTo("a\r\n");
    }

    @Test
    void shouldNotEndAtBareLfDotBareLf() {
        final DataDecoder d = decodeBytewise("a\n.\nb", 100);
        assertThat(d.isDone()).isFalse();
    }

    @Test
    void shouldNotEndAtBareCrDotBareCr() {
        assertThat(decodeBytewise("a\r.\rb\r\n", 100).isDone()).isFalse();
    }

    @Test
    void shouldNotEndAtLfDotCrLf() {
        assertThat(decodeBytewise("a\n.\r\nb", 100).isDone()).isFalse();
    }

    @Test
    void shouldNotEndAtCrLfDotLf() {
        assertThat(decodeBytewise("a\r\n.\nb", 100).isDone()).isFalse();
    }

    @Test
    void shouldReportConsumedBytesSoPipelinedCommandsSurvive() {
        final DataDecoder d = new DataDecoder(100, 1000);
        final byte[] b = "x\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(d.feed(b, 0, b.length)).isEqualTo(6);
    }

    @Test
    void shouldAcceptEmptyMessage() {
        final DataDecoder d = decodeBytewise(".\r\n", 100);
        assertThat(((DataOutcome.Complete) d.outcome()).content()).isEmpty();
    }

    @Test
    void shouldKeepEightBitBytesExactly() {
        final String body = "Subject: =?UTF-8?B?5L2g5aW9?=\r\n\r\n亲爱的Joe: 497 元\r\n";
        final DataDecoder d = decodeBytewise(body + ".\r\n", 1000);
        assertThat(((DataOutcome.Complete) d.outcome()).content()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldCountButNotKeepOversizedContent() {
        final DataDecoder d = new DataDecoder(10, 1000);
        final byte[] b = ("0123456789abcdef\r\n".repeat(1000) + ".\r\n").getBytes(StandardCharsets.US_ASCII);
        d.feed(b, 0, b.length);
        assertThat(d.outcome()).isEqualTo(new DataOutcome.TooLarge(18_000));
    }

    @Test
    void shouldPreferBareLineEndingOverOtherProblems() {
        final DataDecoder d = decodeBytewise("x".repeat(2000) + "\n\r\n.\r\n", 10);
        assertThat(d.outcome()).isInstanceOf(DataOutcome.BareLineEnding.class);
    }
}
