package dev.mailpipe.deliverer;

import dev.mailpipe.core.smtp.SmtpReply;

/**
 * The result of one delivery attempt. {@code reply} is the remote server's reply when
 * {@code remote}, otherwise a reply mailpipe synthesised for a local failure (DNS, connect,
 * timeout, refused target) with an RFC 3463 status. {@code mxHost} is null when no host was reached.
 */
public sealed interface Outcome {

    String mxHost();

    SmtpReply reply();

    boolean remote();

    /** A 2xx to the final dot: the remote MX took responsibility. */
    record Delivered(String mxHost, SmtpReply reply, boolean remote) implements Outcome {
    }

    /** Temporary failure: try again later. */
    record Deferred(String mxHost, SmtpReply reply, boolean remote) implements Outcome {
    }

    /** Permanent failure: never retried. */
    record Bounced(String mxHost, SmtpReply reply, boolean remote) implements Outcome {
    }

    /** Classifies a remote reply: 2xx delivered, 5xx bounced, anything else (4xx, stray 1xx/3xx) deferred. */
    static Outcome ofReply(final String mxHost, final SmtpReply reply) {
        if (reply.positive()) {
            return new Delivered(mxHost, reply, true);
        }
        if (reply.permanentNegative()) {
            return new Bounced(mxHost, reply, true);
        }
        return new Deferred(mxHost, reply, true);
    }

    /** A local temporary failure, e.g. {@code 4.4.1} connection refused. */
    static Outcome localDeferral(final String mxHost, final String enhanced, final String text) {
        return new Deferred(mxHost, SmtpReply.of(451, enhanced, text), false);
    }

    /** A local permanent failure, e.g. {@code 5.1.2} domain does not exist. */
    static Outcome localBounce(final String mxHost, final String enhanced, final String text) {
        return new Bounced(mxHost, SmtpReply.of(550, enhanced, text), false);
    }
}
