package dev.mailpipe.ingest.smtp;

import java.time.Clock;

/** The narrow collaborators a session consults; none of them does network I/O in the session's path. */
public record SessionServices(Authenticator authenticator, AuthThrottle authThrottle, RateLimiter rateLimiter,
        MessageIdGenerator messageIds, Clock clock) {
}
