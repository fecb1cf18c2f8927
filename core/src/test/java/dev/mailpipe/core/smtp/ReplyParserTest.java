package dev.mailpipe.core.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyParserTest {

    @Test
    void shouldParseMultiLineRepliesAndTheirEnhancedStatus() {
        final List<SmtpReply> replies = ReplyParser.parseAll(
                "220 mx ESMTP\r\n250-mx Hello\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n550 5.1.1 <x@y>: user unknown\r\n");
        assertThat(replies).hasSize(3);
        assertThat(replies.get(1).lines()).containsExactly("mx Hello", "PIPELINING", "SMTPUTF8");
        assertThat(replies.get(1).enhancedStatus()).isNull();
        assertThat(replies.get(2).enhancedStatus()).isEqualTo("5.1.1");
        assertThat(replies.get(2).text()).isEqualTo("<x@y>: user unknown");
        assertThat(replies.get(2).permanentNegative()).isTrue();
        assertThat(replies.get(2)).hasToString("550 5.1.1 <x@y>: user unknown");
    }

    @Test
    void shouldRoundTripTheWireForm() {
        final SmtpReply reply = new SmtpReply(250, List.of("mx Hello", "8BITMIME", "SIZE 100"));
        assertThat(reply.wire()).isEqualTo("250-mx Hello\r\n250-8BITMIME\r\n250 SIZE 100\r\n");
        assertThat(ReplyParser.parseAll(reply.wire())).containsExactly(reply);
        assertThat(SmtpReply.of(553, "5.6.7", "needs SMTPUTF8").wire()).isEqualTo("553 5.6.7 needs SMTPUTF8\r\n");
    }

    @Test
    void shouldRefuseMalformedLines() {
        final ReplyParser parser = new ReplyParser();
        assertThatThrownBy(() -> parser.line("hello")).isInstanceOf(ReplyParser.MalformedReplyException.class);
        assertThatThrownBy(() -> parser.line("250x")).isInstanceOf(ReplyParser.MalformedReplyException.class);
        assertThat(parser.line("250-a")).isNull();
        assertThatThrownBy(() -> parser.line("251 b")).hasMessageContaining("changed");
        assertThat(parser.line("221 bye")).isEqualTo(SmtpReply.of(221, "bye"));
        assertThatThrownBy(() -> ReplyParser.parseAll("250-a\r\n")).hasMessageContaining("incomplete");
        assertThat(SmtpReply.SERVICE_READY).isEqualTo(220);
    }
}
