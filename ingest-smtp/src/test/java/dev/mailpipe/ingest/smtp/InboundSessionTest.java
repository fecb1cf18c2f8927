package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.FailedAuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.platform.queue.Submission;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import static dev.mailpipe.ingest.smtp.Conversation.b64;
import static org.assertj.core.api.Assertions.assertThat;


class InboundSessionTest {

    private static final String MESSAGE = "From: support@ifaxin.com\r\nTo: ben@ifaxin.com\r\nSubject: hi\r\n\r\nhello\r\n.\r\n";

    @Test
    void shouldGreetWithBanner() {
        final Conversation c = new Conversation();
        c.expect("220 mx.test ESMTP mailpipe ready");
    }

    @Test
    void shouldListCapabilitiesOnEhlo() {
        final Conversation c = new Conversation(SessionSettings.defaults("mx.test").withTls(true, false),
                AuthThrottle.NONE, RateLimiter.UNLIMITED, ClientInfo.plain("192.0.2.1"));
        c.replies();
        c.send("EHLO ifaxin.com");
        final List<SmtpReply> replies = c.replies();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).wire()).isEqualTo("250-mx.test Hello ifaxin.com\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                + "250-SIZE 16000000\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n");
    }

    @Test
    void shouldNotOfferStartTlsWithoutCertificate() {
        final Conversation c = new Conversation();
        c.replies();
        c.send("ehlo ifaxin.com");
        assertThat(c.replies().get(0).lines()).doesNotContain("STARTTLS").contains("AUTH LOGIN PLAIN");
    }

    @Test
    void shouldRefuseAHeloNameWithControlCharactersInsteadOfEchoingThem() {
        new Conversation().send("EHLO c.test\rMAIL FROM:<a@b.test>").expect("220 mx.test ESMTP mailpipe ready",
                "501 5.5.2 Syntax error: control characters (such as a bare CR) are not allowed in a command");
    }

    @Test
    void shouldRefuseAParameterWithABareCrInsteadOfEchoingItInTheReply() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<> SIZE=100 BODY=8BITMIME\rYYYY");

        assertThat(c.replies().getLast().wire())
                .isEqualTo("501 5.5.2 Syntax error: control characters (such as a bare CR) are not allowed in a command\r\n");
        c.send("MAIL FROM:<a@b.test>\tSIZE=1");
        assertThat(c.replies().getLast().wire()).doesNotStartWith("501 5.5.2");
    }

    @Test
    void shouldAnswerHelo() {
        new Conversation().send("HELO client.test").expect("220 mx.test ESMTP mailpipe ready", "250 mx.test Hello client.test");
    }

    @Test
    void shouldRunTheDocumentedConversation() {
        final Conversation c = new Conversation();
        c.replies();
        c.send("ehlo ifaxin.com").replies();
        c.send("AUTH LOGIN " + b64("api_user")).expect("334 UGFzc3dvcmQ6");
        c.send(b64("api_key")).expect("235 Authentication successful");
        c.send("mail FROM:<support@ifaxin.com>").expect("250 sender <support@ifaxin.com> OK");
        c.send("rcpt TO:<ben@ifaxin.com>").expect("250 recipient <ben@ifaxin.com> OK");
        c.send("data").expect("354 go ahead, make my day");
        c.sendData(MESSAGE);
        assertThat(c.queued).hasSize(1);
        final String id = c.queued.get(0).messageId();
        c.expect("250 #" + id + "#Queued");
        assertThat(id).matches("1795428000000_\\d+_15_\\d+\\.sc-10_10_127_51-inbound");
        c.send("quit").expect("221 2.0.0 mx.test closing connection. Have a jolly good day");
        assertThat(c.closed).isTrue();
    }

    @Test
    void shouldAuthenticateWithTwoStepLogin() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH LOGIN").expect("334 VXNlcm5hbWU6");
        c.send(b64("api_user")).expect("334 UGFzc3dvcmQ6");
        c.send(b64("api_key")).expect("235 Authentication successful");
    }

    @Test
    void shouldAuthenticateWithPlainInitialResponse() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH PLAIN " + b64("\0api_user#news\0api_key")).expect("235 Authentication successful");
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(c.queued.get(0).apiUser()).isEqualTo("api_user");
        assertThat(c.queued.get(0).label()).isEqualTo("news");
    }

    @Test
    void shouldAuthenticateWithPlainContinuation() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH PLAIN").expect("334 ");
        c.send(b64("\0other\0secret")).expect("235 Authentication successful");
    }

    @Test
    void shouldSplitLabelFromApiUser() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH LOGIN " + b64("api_user#12345")).send(b64("api_key"));
        c.expect("334 UGFzc3dvcmQ6", "235 Authentication successful");
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(c.queued.get(0).apiUser()).isEqualTo("api_user");
        assertThat(c.queued.get(0).label()).isEqualTo("12345");
    }

    @Test
    void shouldRejectWrongKey() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH LOGIN " + b64("api_user")).send(b64("wrong"));
        c.expect("334 UGFzc3dvcmQ6", "535 5.7.8 Authentication credentials invalid");
        c.send("MAIL FROM:<a@b.test>").expect("530 5.7.0 Authentication required");
    }

    @Test
    void shouldRejectBadBase64InAuth() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH LOGIN").send("!!!not base64").expect("334 VXNlcm5hbWU6", "501 5.5.2 Cannot decode response (invalid base64)");
        c.send("AUTH PLAIN %%%").expect("501 5.5.2 Cannot decode response (invalid base64)");
        c.send("AUTH LOGIN " + b64("api_user")).send("@@@").expect("334 UGFzc3dvcmQ6", "501 5.5.2 Cannot decode response (invalid base64)");
    }

    @Test
    void shouldCancelAuthWithStar() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH LOGIN").send("*").expect("334 VXNlcm5hbWU6", "501 5.7.0 Authentication cancelled");
        c.send("NOOP").expect("250 2.0.0 OK");
    }

    @Test
    void shouldRejectUnknownMechanismAndAuthBeforeEhlo() {
        final Conversation c = new Conversation();
        c.replies();
        c.send("AUTH LOGIN").expect("503 5.5.1 Send EHLO or HELO first");
        c.send("EHLO client.test").replies();
        c.send("AUTH CRAM-MD5").expectCode(504);
    }

    @Test
    void shouldRejectMailBeforeAuth() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("MAIL FROM:<support@ifaxin.com>").expect("530 5.7.0 Authentication required");
        c.send("RCPT TO:<ben@ifaxin.com>").expect("530 5.7.0 Authentication required");
        c.send("DATA").expect("530 5.7.0 Authentication required");
    }

    @Test
    void shouldRejectRcptBeforeMail() {
        new Conversation().login().send("RCPT TO:<ben@ifaxin.com>").expect("503 5.5.1 Need MAIL command first");
    }

    @Test
    void shouldRejectSecondMail() {
        new Conversation().login().send("MAIL FROM:<a@b.test>").send("MAIL FROM:<a@b.test>")
                .expect("250 sender <a@b.test> OK", "503 5.5.1 Sender already specified");
    }

    @Test
    void shouldRejectDataWithoutRecipients() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<a@b.test>").send("DATA").expect("250 sender <a@b.test> OK", "503 5.5.1 Need RCPT command first");
        c.send("RCPT TO:<not an address>").send("DATA").expect("501 5.1.3 Bad address syntax", "554 5.5.1 No valid recipients");
    }

    @Test
    void shouldAcceptNullReversePath() {
        new Conversation().login().send("MAIL FROM:<>").expect("250 sender <> OK");
    }

    @Test
    void shouldRejectBadAddressesAndUnknownParameters() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<no-at-sign>").expect("501 5.1.3 Bad address syntax");
        c.send("MAIL TO:<a@b.test>").expect("501 5.5.4 Syntax error in parameters or arguments");
        c.send("MAIL FROM:<a@b.test> FOO=bar").expect("555 5.5.4 Unsupported parameter FOO=bar");
        c.send("MAIL FROM:<a@b.test> BODY=8BITMIME SIZE=1000").expect("250 sender <a@b.test> OK");
        c.send("RCPT TO:<>").expect("501 5.1.3 Bad address syntax");
    }

    @Test
    void shouldReplyQueuedOnlyAfterAcknowledgement() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.queueFails = true;
        c.sendData(MESSAGE);
        c.expect("451 4.3.0 Queueing failed, message not accepted, try again later");
        assertThat(c.queued).isEmpty();
        c.queueFails = false;
        c.send("RCPT TO:<ben@ifaxin.com>").expect("503 5.5.1 Need MAIL command first");
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(c.queued).hasSize(1);
        assertThat(c.replies().get(0).toString()).startsWith("250 #").endsWith("#Queued");
    }

    @Test
    void shouldCarryEnvelopeAndPrependReceivedHeader() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com", "joe@ifaxin.com");
        c.sendData(MESSAGE);
        final Submission s = c.queued.get(0);
        assertThat(s.mailFrom()).isEqualTo("support@ifaxin.com");
        assertThat(s.recipients()).containsExactly("ben@ifaxin.com", "joe@ifaxin.com");
        assertThat(s.clientAddress()).isEqualTo("192.0.2.1");
        assertThat(s.clientHelo()).isEqualTo("client.test");
        final String content = new String(s.content(), StandardCharsets.UTF_8);
        assertThat(content).startsWith("Received: from client.test ([192.0.2.1])\r\n\tby mx.test (mailpipe)\r\n\twith ESMTPA id "
                + s.messageId() + ";\r\n\tMon, 23 Nov 2026 10:00:00 +0000\r\n");
        assertThat(content).endsWith("From: support@ifaxin.com\r\nTo: ben@ifaxin.com\r\nSubject: hi\r\n\r\nhello\r\n");
    }

    @Test
    void shouldCarryNoAccountFiltersWhenTheAccountHasNone() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.sendData(MESSAGE);
        assertThat(c.queued.get(0).accountFilters()).isNull();
    }

    @Test
    void shouldCarryTheAuthenticatedAccountsFilters() {
        final Conversation c = new Conversation();
        c.send("EHLO client.test").replies();
        c.send("AUTH PLAIN " + b64("\0other\0secret")).expect("235 Authentication successful");
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(c.queued.get(0).accountFilters()).isEqualTo(new TrackingDefaults(false, true, false));
    }

    @Test
    void shouldUnstuffDots() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.sendData("Subject: dots\r\n\r\n..leading\r\n.x\r\n...\r\n.\r\n");
        assertThat(new String(c.queued.get(0).content(), StandardCharsets.UTF_8))
                .endsWith("\r\n\r\n.leading\r\nx\r\n..\r\n");
    }

    @Test
    void shouldRefuseSmugglingWithBareLf() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        final String rest = c.sendData("Subject: a\r\n\r\nbody\n.\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\n.\r\n");
        assertThat(rest).isEmpty();
        c.expect("554 5.6.0 Message refused: bare CR or LF in message data (lines must end with CRLF)");
        assertThat(c.queued).isEmpty();
    }

    @Test
    void shouldRefuseSmugglingWithBareCr() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.sendData("Subject: a\r\n\r\nbody\r.\rMAIL FROM:<evil@x.test>\r\n.\r\n");
        c.expectCode(554);
        assertThat(c.queued).isEmpty();
    }

    @Test
    void shouldRefuseSmugglingWithLfDotCrLf() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.sendData("Subject: a\r\n\r\nbody\n.\r\nMAIL FROM:<evil@x.test>\r\n.\r\n");
        c.expectCode(554);
        assertThat(c.queued).isEmpty();
        c.send("NOOP").expect("250 2.0.0 OK");
    }

    @Test
    void shouldRejectSizeParameterOverLimit() {
        new Conversation().login().send("MAIL FROM:<a@b.test> SIZE=16000001")
                .expect("552 5.3.4 Message size exceeds fixed maximum message size");
    }

    @Test
    void shouldRefuseOversizedDataAfterReadingItAll() {
        final Conversation c = new Conversation(new SessionSettings("mx.test", 2000, 100, 1000, 1000, 10, false, false),
                AuthThrottle.NONE, RateLimiter.UNLIMITED, ClientInfo.plain("192.0.2.1")).login().envelope("ben@ifaxin.com");
        final String body = ("x".repeat(98) + "\r\n").repeat(30);
        final String rest = c.sendData("Subject: big\r\n\r\n" + body + ".\r\nNOOP\r\n");
        assertThat(rest).isEqualTo("NOOP\r\n");
        c.expect("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThat(c.queued).isEmpty();
    }

    @Test
    void shouldRefuseDataLineOverTheConfiguredLimit() {
        final Conversation c = new Conversation(new SessionSettings("mx.test", 16_000_000, 100, 1000, 1000, 10, false, false),
                AuthThrottle.NONE, RateLimiter.UNLIMITED, ClientInfo.plain("192.0.2.1")).login().envelope("ben@ifaxin.com");
        c.sendData("Subject: long\r\n\r\n" + "y".repeat(999) + "\r\n.\r\n");
        c.expect("554 5.6.0 Message refused: a line is too long");
        c.envelope("ben@ifaxin.com").sendData("Subject: long\r\n\r\n" + "y".repeat(998) + "\r\n.\r\n");
        assertThat(c.queued).hasSize(1);
    }

    @Test
    void shouldAcceptAnUnfoldedXSmtpApiLineLongerThan1000OctetsByDefault() {
        final String to = IntStream.range(0, 100).mapToObj(i -> "\"u" + i + "@b.test\"").collect(Collectors.joining(","));
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.sendData("Subject: x\r\nX-SMTPAPI: " + b64("{\"to\":[" + to + "]}") + "\r\n\r\nb\r\n.\r\n");
        assertThat(c.queued).hasSize(1);
    }

    @Test
    void shouldRejectOverlongCommandLine() {
        final Conversation c = new Conversation().login();
        c.perform(c.session.onLineTooLong());
        c.expect("500 5.5.2 Line too long");
    }

    @Test
    void shouldRefuseThe101stRecipient() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<a@b.test>").replies();
        for (int i = 0; i < 100; i++) {
            c.send("RCPT TO:<r" + i + "@b.test>");
        }
        assertThat(c.replies()).allMatch(r -> r.code() == 250).hasSize(100);
        c.send("RCPT TO:<r100@b.test>").expect("452 4.5.3 Too many recipients");
        c.send("DATA").expectCode(354);
        c.sendData(MESSAGE);
        assertThat(c.queued.get(0).recipients()).hasSize(100);
    }

    @Test
    void shouldRejectInvalidXSmtpApiAndQueueNothing() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        c.sendData("Subject: x\r\nX-SMTPAPI: not-base64!!\r\n\r\nbody\r\n.\r\n");
        c.expect("550 5.6.0 xsmtpapi error: X-SMTPAPI is not valid base64: Illegal base64 character 2d");
        c.envelope("ben@ifaxin.com").sendData("X-SMTPAPI: " + b64("[1,2]") + "\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
        c.expect("550 5.6.0 xsmtpapi error: X-SMTPAPI must be a JSON object, got array");
        c.envelope("ben@ifaxin.com").sendData("X-SMTPAPI: " + b64("{}") + "\r\nSubject: x\r\nX-SMTPAPI: " + b64("{}")
                + "\r\n\r\nbody\r\n.\r\n");
        c.expect("550 5.6.0 xsmtpapi error: more than one X-SMTPAPI header");
        final String tooMany = IntStream.range(0, 101).mapToObj(i -> "\"u" + i + "@b.test\"").collect(Collectors.joining(","));
        final String folded = String.join("\r\n ", b64("{\"to\":[" + tooMany + "]}").split("(?<=\\G.{76})"));
        c.envelope("ben@ifaxin.com").sendData("Subject: x\r\nX-SMTPAPI: " + folded + "\r\n\r\nb\r\n.\r\n");
        c.expect("550 5.6.0 xsmtpapi error: \"to\" has 101 recipients, at most 100 are allowed");
        assertThat(c.queued).isEmpty();
    }

    @Test
    void shouldAcceptValidXSmtpApi() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        final String api = b64("{\"to\":[\"ben@ifaxin.com\",\"joe@ifaxin.com\"],\"sub\":{\"%name%\":[\"Ben\",\"Joe\"]}}");
        c.sendData("Subject: x\r\nX-SMTPAPI: " + api + "\r\n\r\nDear %name%\r\n.\r\n");
        assertThat(c.queued).hasSize(1);
    }

    @Test
    void shouldAcceptXSmtpApiBeforeTheOtherHeadersAsNodemailerWritesIt() {
        final Conversation c = new Conversation().login().envelope("ben@ifaxin.com");
        final String api = b64("{\"sub\":{\"%name%\":[\"Ben\"]}}");
        c.sendData("X-SMTPAPI: " + api + "\r\nFrom: a@ifaxin.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n\r\nDear %name%\r\n.\r\n");
        assertThat(c.queued).hasSize(1);
    }

    @Test
    void shouldAcceptSmtputf8AndCarryItOnTheSubmission() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<jörg@bücher.example> SMTPUTF8").send("RCPT TO:<用户@例子.广告>").send("DATA");
        c.expect("250 sender <jörg@bücher.example> OK", "250 recipient <用户@例子.广告> OK", "354 go ahead, make my day");
        c.sendData("Subject: x\r\n\r\nbody\r\n.\r\n");
        assertThat(c.queued).singleElement().satisfies(s -> {
            assertThat(s.smtputf8()).isTrue();
            assertThat(s.recipients()).containsExactly("用户@例子.广告");
        });
        c.replies();
        c.send("MAIL FROM:<ben@ifaxin.com>").send("RCPT TO:<b@ifaxin.com>").send("DATA").replies();
        c.sendData("Subject: x\r\n\r\nbody\r\n.\r\n");
        assertThat(c.queued.get(1).smtputf8()).isFalse();
    }

    @Test
    void shouldRefuseUtf8AddressesWithoutSmtputf8With5_6_7() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<jörg@example.com>").expect("553 5.6.7 Non-ASCII address needs MAIL FROM with SMTPUTF8");
        c.send("MAIL FROM:<ben@ifaxin.com>").send("RCPT TO:<info@bücher.example>");
        c.expect("250 sender <ben@ifaxin.com> OK", "553 5.6.7 Non-ASCII address needs MAIL FROM with SMTPUTF8");
    }

    @Test
    void shouldAcceptQuotedLocalPartsAndRefuseAddressLiterals() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<\"support team\"@ifaxin.com>").send("RCPT TO:<\"a b\"@example.com>")
                .send("RCPT TO:<a@[192.0.2.1]>").send("RCPT TO:<a b@example.com>");
        c.expect("250 sender <\"support team\"@ifaxin.com> OK", "250 recipient <\"a b\"@example.com> OK",
                "553 5.1.3 Address literals are not accepted, use a domain name", "501 5.1.3 Bad address syntax");
        c.send("DATA").replies();
        c.sendData("Subject: x\r\n\r\nbody\r\n.\r\n");
        assertThat(c.queued).singleElement().satisfies(s -> assertThat(s.recipients()).containsExactly("\"a b\"@example.com"));
    }

    @Test
    void shouldCloseAfterTooManyErrors() {
        final Conversation c = new Conversation();
        c.replies();
        for (int i = 0; i < 9; i++) {
            c.send("BOGUS");
        }
        assertThat(c.closed).isFalse();
        c.replies();
        c.send("BOGUS").expect("500 5.5.2 Command not recognized", "421 4.7.0 Too many errors, closing connection");
        assertThat(c.closed).isTrue();
    }

    @Test
    void shouldThrottleAuthAfterRepeatedFailures() {
        final FailedAuthThrottle throttle = new FailedAuthThrottle(3, 60_000, Conversation.CLOCK);
        final Conversation c = new Conversation(SessionSettings.defaults("mx.test"), throttle, RateLimiter.UNLIMITED,
                ClientInfo.plain("198.51.100.7"));
        c.send("EHLO x.test").replies();
        for (int i = 0; i < 3; i++) {
            c.send("AUTH PLAIN " + b64("\0api_user\0wrong")).expectCode(535);
        }
        c.send("AUTH PLAIN " + b64("\0api_user\0api_key"))
                .expect("454 4.7.0 Too many failed authentication attempts, try again later");
        final Conversation other = new Conversation(SessionSettings.defaults("mx.test"), throttle, RateLimiter.UNLIMITED,
                ClientInfo.plain("198.51.100.8"));
        other.send("EHLO x.test").replies();
        other.send("AUTH PLAIN " + b64("\0api_user\0api_key")).expect("235 Authentication successful");
    }

    @Test
    void shouldReplyFrequencyLimitedOverBudget() {
        final int[] left = {2};
        final Conversation c = new Conversation(SessionSettings.defaults("mx.test"), AuthThrottle.NONE,
                user -> user.equals("api_user") && left[0]-- > 0, ClientInfo.plain("192.0.2.1")).login();
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        c.replies();
        c.send("MAIL FROM:<support@ifaxin.com>").expect("536 Frequency limited");
        assertThat(c.queued).hasSize(2);
    }

    @Test
    void shouldStartTlsAndForgetEarlierState() {
        final Conversation c = new Conversation(SessionSettings.defaults("mx.test").withTls(true, true),
                AuthThrottle.NONE, RateLimiter.UNLIMITED, ClientInfo.plain("192.0.2.1"));
        c.replies();
        c.send("EHLO x.test");
        assertThat(c.replies().get(0).lines()).contains("STARTTLS").doesNotContain("AUTH LOGIN PLAIN");
        c.send("AUTH PLAIN " + b64("\0api_user\0api_key")).expect("530 5.7.0 Must issue a STARTTLS command first");
        c.send("STARTTLS").expect("220 2.0.0 Ready to start TLS");
        assertThat(c.tlsRequested).isTrue();
        c.session.onTlsStarted("TLSv1.3", "TLS_AES_128_GCM_SHA256");
        c.send("AUTH PLAIN " + b64("\0api_user\0api_key")).expect("503 5.5.1 Send EHLO or HELO first");
        c.send("EHLO x.test");
        assertThat(c.replies().get(0).lines()).doesNotContain("STARTTLS").contains("AUTH LOGIN PLAIN");
        c.send("AUTH PLAIN " + b64("\0api_user\0api_key")).expect("235 Authentication successful");
        c.send("STARTTLS").expect("454 4.7.0 TLS not available");
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        final Submission s = c.queued.get(0);
        assertThat(s.tlsCipher()).isEqualTo("TLS_AES_128_GCM_SHA256");
        assertThat(new String(s.content(), StandardCharsets.US_ASCII))
                .contains("(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)").contains("with ESMTPSA id");
    }

    @Test
    void shouldNameTheProtocolSmtpAfterHelo() {
        final Conversation c = new Conversation();
        c.send("HELO old.client").send("AUTH PLAIN " + b64("\0api_user\0api_key")).replies();
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(new String(c.queued.get(0).content(), StandardCharsets.US_ASCII)).contains("\twith SMTP id ");
    }

    @Test
    void shouldTreatTrustedNetworkAsAuthenticated() {
        final Conversation c = new Conversation(SessionSettings.defaults("mx.test"), AuthThrottle.NONE,
                RateLimiter.UNLIMITED, new ClientInfo("10.1.2.3", "internal-app", null, null));
        c.send("HELO app.internal").replies();
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(c.queued.get(0).apiUser()).isEqualTo("internal-app");
        assertThat(c.queued.get(0).accountFilters()).isEqualTo(new TrackingDefaults(true, false, true));
        assertThat(new String(c.queued.get(0).content(), StandardCharsets.US_ASCII)).contains("with SMTP id");
    }

    @Test
    void shouldLetTrustedClientsAuthenticateAsAnotherAccount() {
        final Conversation c = new Conversation(SessionSettings.defaults("mx.test"), AuthThrottle.NONE,
                RateLimiter.UNLIMITED, new ClientInfo("10.1.2.3", "internal-app", null, null));
        c.send("EHLO app.internal").replies();
        c.send("AUTH PLAIN " + b64("\0other#l\0secret")).expect("235 Authentication successful");
        c.send("AUTH PLAIN " + b64("\0other\0secret")).expect("503 5.5.1 Already authenticated");
        c.envelope("ben@ifaxin.com").sendData(MESSAGE);
        assertThat(c.queued.get(0).apiUser()).isEqualTo("other");
        assertThat(c.queued.get(0).label()).isEqualTo("l");
        assertThat(c.queued.get(0).accountFilters()).isEqualTo(new TrackingDefaults(false, true, false));
    }

    @Test
    void shouldAnswerHousekeepingCommands() {
        final Conversation c = new Conversation().login();
        c.send("MAIL FROM:<a@b.test>").send("RSET").send("RCPT TO:<c@d.test>")
                .expect("250 sender <a@b.test> OK", "250 2.0.0 Reset OK", "503 5.5.1 Need MAIL command first");
        c.send("NOOP").send("VRFY ben").send("HELP").send("STARTTLS").send("EXPN list").send("BDAT 10 LAST");
        assertThat(c.replies().stream().map(SmtpReply::code).toList()).containsExactly(250, 252, 214, 454, 502, 502);
    }

    @Test
    void shouldCloseWithTimeoutReply() {
        final Conversation c = new Conversation();
        c.replies();
        c.perform(c.session.onTimeout());
        c.expect("421 4.4.2 Timeout, closing connection");
        assertThat(c.closed).isTrue();
    }
}
