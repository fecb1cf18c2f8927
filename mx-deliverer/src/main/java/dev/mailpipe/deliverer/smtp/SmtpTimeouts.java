package dev.mailpipe.deliverer.smtp;

import java.time.Duration;

/**
 * Per-stage client timeouts, RFC 5321 §4.5.3.2 (defaults in MxDelivererConfig): waiting for the
 * connection, the greeting, command replies, the 354 to DATA, each write of message data (data
 * block) and the reply to the final dot.
 */
public record SmtpTimeouts(Duration connect, Duration greeting, Duration command, Duration dataInit,
        Duration dataBlock, Duration dataEnd) {

    /** RFC 5321's recommended minimums; 30 s to connect. */
    public static SmtpTimeouts rfc5321() {
        return new SmtpTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));
    }
}
