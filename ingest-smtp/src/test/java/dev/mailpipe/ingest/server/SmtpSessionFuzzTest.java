package dev.mailpipe.ingest.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.ingest.smtp.ClientInfo;
import dev.mailpipe.ingest.smtp.DataDecoder;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.SessionServices;
import dev.mailpipe.ingest.smtp.SessionSettings;
import dev.mailpipe.ingest.smtp.Step;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.time.Clock;

/**
 * The inbound SMTP session as the transport drives it — the same {@link ConnectionInput} line and
 * DATA reading, the session's state machine, the DATA decoder, the X-SMTPAPI check at the end of
 * DATA — fed arbitrary client bytes. Whatever a client sends, the server must answer with
 * well-formed replies and never fail with an exception (the transport would log a bug and drop the
 * connection without a reply), and what it queues stays within the limits. Regression over
 * {@code SmtpSessionFuzzTestInputs} in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class SmtpSessionFuzzTest {

    private static final SessionSettings SETTINGS = new SessionSettings("mx.test", 20_000, 5, 1000, 2000, 10,
            false, false);
    private static final SessionServices SERVICES = new SessionServices((u, k) -> u.equals("u") && k.equals("k"),
            AuthThrottle.NONE, RateLimiter.UNLIMITED, new MessageIdGenerator(Clock.systemUTC(), "fuzz"),
            Clock.systemUTC());
    private static final int MAX_STEPS = 2_000;

    @FuzzTest(maxDuration = "60s")
    void clientBytes(final byte[] bytes) throws IOException {
        final InboundSession session = new InboundSession(SETTINGS, SERVICES, new ClientInfo("192.0.2.7", null, null, null),
                1);
        final ConnectionInput input = new ConnectionInput(new ByteArrayInputStream(bytes));
        Step step = session.greet();
        boolean queueOk = true;
        for (int i = 0; i < MAX_STEPS; i++) {
            step.replies().forEach(SmtpSessionFuzzTest::wellFormed);
            final Step.Action action = step.action();
            try {
                if (action instanceof Step.Action.Continue) {
                    final ConnectionInput.Line line = input.readLine(SETTINGS.maxLineLength());
                    if (line == null) {
                        return;
                    }
                    step = line.tooLong() ? session.onLineTooLong() : session.onLine(line.text());
                } else if (action instanceof Step.Action.ReadData r) {
                    final DataDecoder decoder = new DataDecoder(r.maxBytes(), r.maxLineLength());
                    input.readData(decoder);
                    step = session.onData(decoder.outcome());
                } else if (action instanceof Step.Action.Submit s) {
                    assertThat(s.submission().recipients()).hasSizeBetween(1, SETTINGS.maxRecipients());
                    // the limit is on what the client sent; the content also carries our Received: header
                    final byte[] content = s.submission().content();
                    assertThat((long) content.length - receivedHeaderLength(content))
                            .isLessThanOrEqualTo(SETTINGS.maxMessageBytes());
                    step = queueOk ? session.onQueued() : session.onQueueFailed();
                    queueOk = !queueOk;
                } else {
                    return; // Close (STARTTLS is not offered here)
                }
            } catch (final EOFException clientLeft) {
                return;
            }
        }
    }

    /** The bytes of the leading Received: header field, folded lines included. */
    private static int receivedHeaderLength(final byte[] content) {
        assertThat(new String(content, 0, Math.min(9, content.length), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("Received:");
        for (int i = 0; i + 2 < content.length; i++) {
            if (content[i] == '\r' && content[i + 1] == '\n' && content[i + 2] != ' ' && content[i + 2] != '\t') {
                return i + 2;
            }
        }
        return content.length;
    }

    private static void wellFormed(final SmtpReply reply) {
        final String wire = reply.wire();
        assertThat(wire).endsWith("\r\n");
        for (final String line : wire.split("\r\n")) {
            assertThat(line).matches("[2-5][0-9][0-9][ -].*").doesNotContain("\n").doesNotContain("\r");
        }
    }
}
