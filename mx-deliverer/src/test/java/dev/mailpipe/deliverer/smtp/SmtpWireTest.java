package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmtpWireTest {

    private static SmtpReply parse(final String wire) throws Exception {
        return new ReplyReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))).read();
    }

    private static String encode(final String content) {
        return new String(DataEncoder.encode(content.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void shouldParseAMultiLineReply() throws Exception {
        final SmtpReply reply = parse("250-mx.example.com Hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n");

        assertThat(reply.code()).isEqualTo(250);
        assertThat(reply.lines()).containsExactly("mx.example.com Hello", "PIPELINING", "STARTTLS");
    }

    @Test
    void shouldSplitOffTheEnhancedStatusCode() throws Exception {
        final SmtpReply reply = parse("550-5.1.1 The email account does not exist.\r\n550 5.1.1 Try again.\r\n");

        assertThat(reply.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(reply.text()).isEqualTo("The email account does not exist.\nTry again.");
    }

    @Test
    void shouldReadLongAndShortLinesInTurnFromOneConnection() throws Exception {
        final String longText = "x".repeat(8_187); // "250 " + 8,187 + CR = 8,192 octets before the LF: the longest line
        final ReplyReader reader = new ReplyReader(new ByteArrayInputStream(
                ("250-" + "y".repeat(300) + "\r\n250 " + longText + "\r\n354 go\r\n250 2.0.0 ok\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));

        assertThat(reader.read().lines()).containsExactly("y".repeat(300), longText);
        assertThat(reader.read().lines()).containsExactly("go");
        assertThat(reader.read().text()).isEqualTo("ok");
    }

    @Test
    void shouldRejectALineLongerThan8192Octets() {
        assertThatThrownBy(() -> parse("250 " + "x".repeat(8_189) + "\r\n"))
                .isInstanceOf(SmtpProtocolException.class).hasMessageContaining("longer than 8192");
    }

    @Test
    void shouldRejectGarbageAndEarlyClose() {
        assertThatThrownBy(() -> parse("HTTP/1.1 400 Bad Request\r\n")).isInstanceOf(SmtpProtocolException.class);
        assertThatThrownBy(() -> parse("250-first\r\n")).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> parse("250-a\r\n251 b\r\n")).isInstanceOf(SmtpProtocolException.class);
    }

    @Test
    void shouldDotStuffLinesStartingWithADot() {
        assertThat(encode("a\r\n.hidden\r\n..two\r\n")).isEqualTo("a\r\n..hidden\r\n...two\r\n.\r\n");
    }

    @Test
    void shouldStuffADotOnTheFirstLine() {
        assertThat(encode(".\r\nafter")).isEqualTo("..\r\nafter\r\n.\r\n");
    }

    @Test
    void shouldNormaliseBareLineFeedsAndCarriageReturnsToCrlf() {
        // a bare LF before '.' would otherwise let a message smuggle a second transaction
        assertThat(encode("a\n.\nMAIL FROM:<x>\rb")).isEqualTo("a\r\n..\r\nMAIL FROM:<x>\r\nb\r\n.\r\n");
    }

    @Test
    void shouldTerminateAnEmptyMessage() {
        assertThat(encode("")).isEqualTo(".\r\n");
    }
}
