package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OutboundSessionTest {

    private static final SmtpTimeouts TIMEOUTS = new SmtpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(6), Duration.ofSeconds(5));
    private static final byte[] MESSAGE = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    private static OutboundSession session(final ScriptedTransport transport) {
        return new OutboundSession(transport, TIMEOUTS, "out.mailpipe.test", true);
    }

    /** A session that opened with {@code ehlo} and sent one email, the server answering {@code next} after it. */
    private static OutboundSession afterOneEmail(final String ehlo, final String... next) throws Exception {
        final OutboundSession s = session(new ScriptedTransport(Stream.concat(Stream.of("220 mx\r\n", ehlo,
                "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 first\r\n"), Stream.of(next)).toArray(String[]::new)));
        s.open();
        s.send("a@x.test", "b@y.test", MESSAGE);
        return s;
    }

    @Test
    void shouldSendAPlainTransactionStepByStepWithoutPipelining() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx ESMTP\r\n", "250-mx\r\n250 8BITMIME\r\n",
                "250 2.1.0 ok\r\n", "250 2.1.5 ok\r\n", "354 go\r\n", "250 2.0.0 queued\r\n");
        final OutboundSession s = session(t);

        assertThat(s.open()).isNull();
        final SmtpReply reply = s.send("a@x.test", "b@y.test", MESSAGE);

        assertThat(reply.code()).isEqualTo(250);
        assertThat(t.commands()).containsExactly("EHLO out.mailpipe.test", "MAIL FROM:<a@x.test>",
                "RCPT TO:<b@y.test>", "DATA", "<data>");
        assertThat(t.readTimeouts()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3),
                Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5));
    }

    @Test
    void shouldPipelineMailRcptAndDataWhenOffered() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
                "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n");
        final OutboundSession s = session(t);

        s.open();
        s.send("a@x.test", "b@y.test", MESSAGE);

        assertThat(t.flushes().get(1)).isEqualTo("MAIL FROM:<a@x.test> SIZE=" + MESSAGE.length
                + "\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
    }

    @Test
    void shouldFallBackToHeloWhenEhloIsRefused() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 old mx\r\n", "502 unknown command\r\n", "250 hi\r\n");
        final OutboundSession s = session(t);

        assertThat(s.open()).isNull();
        assertThat(t.commands()).containsExactly("EHLO out.mailpipe.test", "HELO out.mailpipe.test");
        assertThat(s.capabilities()).isEmpty();
    }

    @Test
    void shouldUpgradeWithStarttlsAndSayEhloAgain() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n",
                "220 2.0.0 ready for TLS\r\n", "250-mx\r\n250 PIPELINING\r\n");
        final OutboundSession s = session(t);

        assertThat(s.open()).isNull();
        assertThat(t.commands()).containsExactly("EHLO out.mailpipe.test", "STARTTLS", "EHLO out.mailpipe.test");
        assertThat(s.tlsActive()).isTrue();
        assertThat(s.capabilities()).containsExactly("PIPELINING");
    }

    @Test
    void shouldContinueInClearTextWhenStarttlsIsRefused() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n",
                "454 4.7.0 TLS not available\r\n");
        final OutboundSession s = session(t);

        assertThat(s.open()).isNull();
        assertThat(s.tlsActive()).isFalse();
    }

    @Test
    void shouldNotOfferTlsWhenDisabled() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n");
        final OutboundSession s = new OutboundSession(t, TIMEOUTS, "out", false);

        assertThat(s.open()).isNull();
        assertThat(t.commands()).containsExactly("EHLO out");
    }

    @Test
    void shouldReturnARefusingGreeting() throws Exception {
        final SmtpReply refusal = session(new ScriptedTransport("554 5.7.1 no service for you\r\n")).open();

        assertThat(refusal.code()).isEqualTo(554);
        assertThat(refusal.enhancedStatus()).isEqualTo("5.7.1");
    }

    @Test
    void shouldTimeOutWaitingForTheGreeting() {
        final ScriptedTransport t = new ScriptedTransport(ScriptedTransport.TIMEOUT);

        assertThatThrownBy(() -> session(t).open()).isInstanceOf(SocketTimeoutException.class);
        assertThat(t.readTimeouts()).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void shouldReturnTheFirstRefusalOfAPipelinedTransaction() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n",
                "250 ok\r\n", "550 5.1.1 no such user\r\n", "554 5.5.1 no valid recipients\r\n");
        final OutboundSession s = session(t);
        s.open();

        final SmtpReply reply = s.send("a@x.test", "nobody@y.test", MESSAGE);

        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.enhancedStatus()).isEqualTo("5.1.1");
    }

    @Test
    void shouldSendAnEmptyMessageWhenDataWasAcceptedAfterARefusedRecipient() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n",
                "250 ok\r\n", "450 4.2.0 mailbox busy\r\n", "354 go\r\n", "554 no recipients\r\n");
        final OutboundSession s = session(t);
        s.open();

        final SmtpReply reply = s.send("a@x.test", "b@y.test", MESSAGE);

        assertThat(reply.code()).isEqualTo(450);
        assertThat(t.flushes().get(t.flushes().size() - 1)).isEqualTo(".\r\n");
    }

    @Test
    void shouldResetBetweenTransactionsOnAReusedConnection() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250 mx\r\n",
                "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 first\r\n",
                "250 reset\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 second\r\n");
        final OutboundSession s = session(t);
        s.open();

        assertThat(s.send("a@x.test", "b@y.test", MESSAGE).text()).isEqualTo("first");
        assertThat(s.send("a@x.test", "c@y.test", MESSAGE).text()).isEqualTo("second");

        assertThat(t.commands()).containsSubsequence("<data>", "RSET", "MAIL FROM:<a@x.test>", "RCPT TO:<c@y.test>");
        assertThat(s.transactions()).isEqualTo(2);
    }

    @Test
    void shouldPipelineTheResetWithTheNextTransactionWhenOffered() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n",
                "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 first\r\n",
                "250 reset\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 second\r\n");
        final OutboundSession s = session(t);
        s.open();

        assertThat(s.send("a@x.test", "b@y.test", MESSAGE).text()).isEqualTo("first");
        assertThat(s.send("a@x.test", "c@y.test", MESSAGE).text()).isEqualTo("second");

        assertThat(t.flushes()).contains("RSET\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n");
    }

    @Test
    void shouldReportAReusedConnectionThatBrokeBeforeTheTransactionAsStale() throws Exception {
        // the server dropped the idle connection: no reply to the pipelined RSET
        final OutboundSession s = afterOneEmail("250-mx\r\n250 PIPELINING\r\n", "");

        assertThatThrownBy(() -> s.send("a@x.test", "c@y.test", MESSAGE)).isInstanceOf(StaleSessionException.class);
    }

    @Test
    void shouldReportARefusedResetAsStale() throws Exception {
        final OutboundSession s = afterOneEmail("250 mx\r\n", "421 4.4.2 idle too long\r\n");

        assertThatThrownBy(() -> s.send("a@x.test", "c@y.test", MESSAGE)).isInstanceOf(StaleSessionException.class)
                .hasMessageContaining("421");
    }

    @Test
    void shouldNotCallABreakAfterTheResetWasAnsweredStale() throws Exception {
        // RSET answered: the connection was alive; losing it after the data means the server may hold the email
        final OutboundSession s = afterOneEmail("250-mx\r\n250 PIPELINING\r\n",
                "250 reset\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "");

        assertThatThrownBy(() -> s.send("a@x.test", "c@y.test", MESSAGE)).isInstanceOf(java.io.IOException.class)
                .isNotInstanceOf(StaleSessionException.class);
    }

    @Test
    void shouldUseTheNullReversePathForBounces() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n",
                "354 go\r\n", "250 ok\r\n");
        final OutboundSession s = session(t);
        s.open();

        s.send("", "b@y.test", MESSAGE);

        assertThat(t.commands()).contains("MAIL FROM:<>");
    }

    @Test
    void shouldDeclare8BitMimeForNonAsciiContentWhenOffered() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 8BITMIME\r\n", "250 ok\r\n",
                "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        final OutboundSession s = session(t);
        s.open();

        s.send("a@x.test", "b@y.test", "Subject: 亲爱的\r\n\r\n感谢\r\n".getBytes(StandardCharsets.UTF_8));

        assertThat(t.commands()).contains("MAIL FROM:<a@x.test> BODY=8BITMIME");
    }

    @Test
    void shouldUseSmtputf8WhenTheNextHopOffersIt() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n");
        final OutboundSession s = session(t);
        s.open();

        assertThat(s.send("jörg@bücher.example", "用户@例子.广告", MESSAGE, true).code()).isEqualTo(250);
        assertThat(t.commands()).contains("MAIL FROM:<jörg@bücher.example> SMTPUTF8", "RCPT TO:<用户@例子.广告>");
    }

    @Test
    void shouldBounceWith5_6_7WithoutSendingWhenAUtf8LocalPartMeetsAHopWithoutSmtputf8() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 8BITMIME\r\n");
        final OutboundSession s = session(t);
        s.open();

        final SmtpReply reply = s.send("support@ifaxin.com", "jörg@example.com", MESSAGE, true);

        assertThat(reply.code()).isEqualTo(553);
        assertThat(reply.enhancedStatus()).isEqualTo("5.6.7");
        assertThat(reply.text()).contains("<jörg@example.com>").contains("SMTPUTF8");
        assertThat(t.commands()).containsExactly("EHLO out.mailpipe.test");
        assertThat(s.transactions()).isZero();
    }

    @Test
    void shouldSendInternationalisedDomainsAsALabelsToAHopWithoutSmtputf8() throws Exception {
        final ScriptedTransport t = new ScriptedTransport("220 mx\r\n", "250-mx\r\n250 8BITMIME\r\n",
                "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n");
        final OutboundSession s = session(t);
        s.open();

        assertThat(s.send("support@ifaxin.com", "info@Bücher.example", MESSAGE, true).code()).isEqualTo(250);
        assertThat(t.commands()).contains("MAIL FROM:<support@ifaxin.com>", "RCPT TO:<info@xn--bcher-kva.example>");
    }
}
