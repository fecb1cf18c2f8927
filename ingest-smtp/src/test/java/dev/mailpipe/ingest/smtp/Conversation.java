package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.accounts.Authenticator;
import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.platform.queue.Submission;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * Drives an {@link InboundSession} like a transport would, without sockets: {@code send} a line and
 * {@code expect} the replies. DATA goes through a real {@link DataDecoder}; submissions are
 * recorded and acknowledged (or failed) by this harness.
 */
final class Conversation {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    static final Map<String, String> ACCOUNTS = Map.of("api_user", "api_key", "other", "secret");
    /** Default tracking filters per account; api_user has none. */
    static final Map<String, TrackingDefaults> FILTERS = Map.of(
            "other", new TrackingDefaults(false, true, false),
            "internal-app", new TrackingDefaults(true, false, true));

    final List<Submission> queued = new ArrayList<>();
    final InboundSession session;
    boolean queueFails;
    boolean closed;
    boolean tlsRequested;
    private final List<SmtpReply> pending = new ArrayList<>();
    private Step.Action lastAction;

    Conversation(final SessionSettings settings, final AuthThrottle throttle, final RateLimiter limiter,
            final ClientInfo client) {
        this(settings, throttle, limiter, client, dev.mailpipe.core.domains.SenderAuthorisation.ALLOW_ALL);
    }

    /** With a sender-domain rule (MAILPIPE_SENDER_DOMAINS). */
    Conversation(final dev.mailpipe.core.domains.SenderAuthorisation senders) {
        this(SessionSettings.defaults("mx.test"), AuthThrottle.NONE, RateLimiter.UNLIMITED, ClientInfo.plain("192.0.2.1"),
                senders);
    }

    Conversation(final SessionSettings settings, final AuthThrottle throttle, final RateLimiter limiter,
            final ClientInfo client, final dev.mailpipe.core.domains.SenderAuthorisation senders) {
        final Authenticator auth = new Authenticator() {
            @Override
            public boolean verify(final String user, final String key) {
                return key.equals(ACCOUNTS.get(user));
            }

            @Override
            public TrackingDefaults trackingDefaults(final String user) {
                return FILTERS.get(user);
            }
        };
        session = new InboundSession(settings, new SessionServices(auth, throttle, limiter,
                new MessageIdGenerator(CLOCK, "sc-10.10.127.51"), CLOCK, senders), client, 15);
        perform(session.greet());
    }

    Conversation() {
        this(SessionSettings.defaults("mx.test"), AuthThrottle.NONE, RateLimiter.UNLIMITED, ClientInfo.plain("192.0.2.1"));
    }

    static String b64(final String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    Conversation send(final String line) {
        assertThat(closed).as("connection closed before sending " + line).isFalse();
        assertThat(lastAction).as("a command while the session expects DATA").isNotInstanceOf(Step.Action.ReadData.class);
        perform(session.onLine(line));
        return this;
    }

    /** Sends raw DATA bytes (must contain the terminator); bytes after it are returned to pipeline. */
    String sendData(final String raw) {
        assertThat(lastAction).isInstanceOf(Step.Action.ReadData.class);
        final Step.Action.ReadData r = (Step.Action.ReadData) lastAction;
        final DataDecoder decoder = new DataDecoder(r.maxBytes(), r.maxLineLength());
        final byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        final int used = decoder.feed(bytes, 0, bytes.length);
        assertThat(decoder.isDone()).as("DATA terminator seen").isTrue();
        lastAction = null;
        perform(session.onData(decoder.outcome()));
        return new String(bytes, used, bytes.length - used, StandardCharsets.UTF_8);
    }

    /** Asserts the replies since the last expect, each as "code text" of its last line, in order. */
    Conversation expect(final String... replies) {
        assertThat(pending.stream().map(SmtpReply::toString).toList()).containsExactly(replies);
        pending.clear();
        return this;
    }

    /** Asserts only the code of the single pending reply. */
    Conversation expectCode(final int code) {
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).code()).as(pending.get(0).toString()).isEqualTo(code);
        pending.clear();
        return this;
    }

    List<SmtpReply> replies() {
        final List<SmtpReply> copy = List.copyOf(pending);
        pending.clear();
        return copy;
    }

    Conversation login() {
        send("EHLO client.test");
        replies();
        send("AUTH LOGIN " + b64("api_user"));
        send(b64("api_key"));
        expect("334 UGFzc3dvcmQ6", "235 Authentication successful");
        return this;
    }

    Conversation envelope(final String... recipients) {
        send("MAIL FROM:<support@ifaxin.com>");
        for (final String r : recipients) {
            send("RCPT TO:<" + r + ">");
        }
        send("DATA");
        replies();
        return this;
    }

    void perform(final Step step) {
        pending.addAll(step.replies());
        lastAction = step.action();
        switch (step.action()) {
            case Step.Action.Submit s -> {
                if (queueFails) {
                    perform(session.onQueueFailed());
                } else {
                    queued.add(s.submission());
                    perform(session.onQueued());
                }
            }
            case Step.Action.Close c -> closed = true;
            case Step.Action.StartTls t -> tlsRequested = true;
            default -> {
            }
        }
    }
}
