package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.smtp.SmtpReply;

/**
 * The fixed replies of the ingest server. The positive replies of the documented SendCloud
 * conversation keep their documented text (no enhanced status code) because clients parse them;
 * every other reply carries an RFC 3463 enhanced status code.
 */
public final class Replies {

    public static final SmtpReply AUTH_OK = SmtpReply.of(235, "Authentication successful");
    public static final SmtpReply AUTH_USERNAME = SmtpReply.of(334, "VXNlcm5hbWU6");
    public static final SmtpReply AUTH_PASSWORD = SmtpReply.of(334, "UGFzc3dvcmQ6");
    public static final SmtpReply AUTH_PLAIN_CONTINUE = SmtpReply.of(334, "");
    public static final SmtpReply START_DATA = SmtpReply.of(354, "go ahead, make my day");
    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0 OK");
    public static final SmtpReply RESET_OK = SmtpReply.of(250, "2.0.0 Reset OK");
    public static final SmtpReply VRFY = SmtpReply.of(252, "2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
    public static final SmtpReply HELP = SmtpReply.of(214, "2.0.0 Commands: EHLO HELO AUTH MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS");
    public static final SmtpReply READY_TLS = SmtpReply.of(220, "2.0.0 Ready to start TLS");

    public static final SmtpReply QUEUE_FAILED = SmtpReply.of(451, "4.3.0 Queueing failed, message not accepted, try again later");
    public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3 Too many recipients");
    public static final SmtpReply AUTH_THROTTLED = SmtpReply.of(454, "4.7.0 Too many failed authentication attempts, try again later");
    public static final SmtpReply TLS_NOT_AVAILABLE = SmtpReply.of(454, "4.7.0 TLS not available");
    public static final SmtpReply TIMEOUT = SmtpReply.of(421, "4.4.2 Timeout, closing connection");
    public static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0 Too many errors, closing connection");
    public static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.7.0 Too many connections, try again later");
    public static final SmtpReply IDLE_EVICTED = SmtpReply.of(421, "4.7.0 Idle unauthenticated connection closed to make room, try again later");
    public static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, "4.3.2 Service shutting down, closing connection");

    public static final SmtpReply UNKNOWN_COMMAND = SmtpReply.of(500, "5.5.2 Command not recognized");
    public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1 Command not implemented");
    public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2 Line too long");
    public static final SmtpReply SYNTAX_ERROR = SmtpReply.of(501, "5.5.4 Syntax error in parameters or arguments");
    public static final SmtpReply CONTROL_IN_COMMAND = SmtpReply.of(501,
            "5.5.2 Syntax error: control characters (such as a bare CR) are not allowed in a command");
    public static final SmtpReply BAD_BASE64 = SmtpReply.of(501, "5.5.2 Cannot decode response (invalid base64)");
    public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.7.0 Authentication cancelled");
    public static final SmtpReply BAD_SEQUENCE_HELO = SmtpReply.of(503, "5.5.1 Send EHLO or HELO first");
    public static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1 Already authenticated");
    public static final SmtpReply SENDER_ALREADY_GIVEN = SmtpReply.of(503, "5.5.1 Sender already specified");
    public static final SmtpReply MAIL_FIRST = SmtpReply.of(503, "5.5.1 Need MAIL command first");
    public static final SmtpReply RCPT_FIRST = SmtpReply.of(503, "5.5.1 Need RCPT command first");
    public static final SmtpReply AUTH_IN_TRANSACTION = SmtpReply.of(503, "5.5.1 AUTH not allowed during a mail transaction");
    public static final SmtpReply UNSUPPORTED_MECHANISM = SmtpReply.of(504, "5.5.4 Unrecognized authentication mechanism (LOGIN and PLAIN are supported)");
    public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0 Authentication required");
    public static final SmtpReply TLS_REQUIRED = SmtpReply.of(530, "5.7.0 Must issue a STARTTLS command first");
    public static final SmtpReply AUTH_FAILED = SmtpReply.of(535, "5.7.8 Authentication credentials invalid");
    public static final SmtpReply FREQUENCY_LIMITED = SmtpReply.of(536, "Frequency limited");
    public static final SmtpReply BAD_ADDRESS = SmtpReply.of(501, "5.1.3 Bad address syntax");
    public static final SmtpReply MESSAGE_TOO_BIG = SmtpReply.of(552, "5.3.4 Message size exceeds fixed maximum message size");
    public static final SmtpReply BARE_LINE_ENDING = SmtpReply.of(554, "5.6.0 Message refused: bare CR or LF in message data (lines must end with CRLF)");
    public static final SmtpReply DATA_LINE_TOO_LONG = SmtpReply.of(554, "5.6.0 Message refused: a line is too long");
    public static final SmtpReply NO_VALID_RECIPIENTS = SmtpReply.of(554, "5.5.1 No valid recipients");

    private Replies() {
    }

    public static SmtpReply greeting(final String hostname) {
        return SmtpReply.of(220, hostname + " ESMTP mailpipe ready");
    }

    public static SmtpReply bye(final String hostname) {
        return SmtpReply.of(221, "2.0.0 " + hostname + " closing connection. Have a jolly good day");
    }

    public static SmtpReply sender(final String address) {
        return SmtpReply.of(250, "sender <" + address + "> OK");
    }

    public static SmtpReply recipient(final String address) {
        return SmtpReply.of(250, "recipient <" + address + "> OK");
    }

    public static SmtpReply queued(final String messageId) {
        return SmtpReply.of(250, "#" + messageId + "#Queued");
    }

    public static SmtpReply helo(final String hostname, final String client) {
        return SmtpReply.of(250, hostname + " Hello " + client);
    }

    /**
     * The refusal of a MAIL FROM or RCPT TO address: 553 5.1.3 for an address literal (mailpipe
     * delivers by MX only), 553 5.6.7 for a UTF-8 address without SMTPUTF8 (RFC 6531 §3.4), otherwise
     * {@link #BAD_ADDRESS}.
     */
    public static SmtpReply refusedAddress(final AddressException e) {
        return switch (e.problem()) {
            case ADDRESS_LITERAL -> SmtpReply.of(553, "5.1.3 Address literals are not accepted, use a domain name");
            case NEEDS_SMTPUTF8 -> SmtpReply.of(553, "5.6.7 Non-ASCII address needs MAIL FROM with SMTPUTF8");
            case TOO_LONG -> SmtpReply.of(501, "5.1.3 Address too long");
            case SYNTAX -> BAD_ADDRESS;
        };
    }

    /** MAILPIPE_SENDER_DOMAINS=enforce: the envelope sender's or a From: domain is not the account's. */
    public static SmtpReply senderRefused(final String text) {
        return SmtpReply.of(550, "5.7.1 " + text);
    }

    public static SmtpReply xsmtpapiError(final String detail) {
        return SmtpReply.of(550, "5.6.0 xsmtpapi error: " + detail);
    }
}
