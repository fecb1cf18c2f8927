package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.accounts.Authenticator;
import dev.mailpipe.core.domains.SenderAuthorisation;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import java.time.Clock;

/**
 * The narrow collaborators a session consults; none of them does network I/O in the session's path.
 * {@code senders} decides whether the account may send as the envelope sender and the From: domains
 * (MAILPIPE_SENDER_DOMAINS).
 */
public record SessionServices(Authenticator authenticator, AuthThrottle authThrottle, RateLimiter rateLimiter,
        MessageIdGenerator messageIds, Clock clock, SenderAuthorisation senders) {

    /** Without sender-domain checks (every sender allowed). */
    public SessionServices(final Authenticator authenticator, final AuthThrottle authThrottle,
            final RateLimiter rateLimiter, final MessageIdGenerator messageIds, final Clock clock) {
        this(authenticator, authThrottle, rateLimiter, messageIds, clock, SenderAuthorisation.ALLOW_ALL);
    }
}
