package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.address.AddressException;

/**
 * The fixed replies of the ingest server. The positive replies of the documented SendCloud
 * conversation keep their documented text (no enhanced status code) because clients parse them;
 * every other reply carries an RFC 3463 enhanced status code.
 */
public final class Replies {

    public static final Reply AUTH_OK = Reply.of(235, "Authentication successful");
    public static final Reply AUTH_USERNAME = Reply.of(334, "VXNlcm5hbWU6");
    public static final Reply AUTH_PASSWORD = Reply.of(334, "UGFzc3dvcmQ6");
    public static final Reply AUTH_PLAIN_CONTINUE = Reply.of(334, "");
    public static final Reply START_DATA = Reply.of(354, "go ahead, make my day");
    public static final Reply OK = Reply.of(250, "2.0.0 OK");
    public static final Reply RESET_OK = Reply.of(250, "2.0.0 Reset OK");
    public static final Reply VRFY = Reply.of(252, "2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
    public static final Reply HELP = Reply.of(214, "2.0.0 Commands: EHLO HELO AUTH MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS");
    public static final Reply READY_TLS = Reply.of(220, "2.0.0 Ready to start TLS");

    public static final Reply QUEUE_FAILED = Reply.of(451, "4.3.0 Queueing failed, message not accepted, try again later");
    public static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3 Too many recipients");
    public static final Reply AUTH_THROTTLED = Reply.of(454, "4.7.0 Too many failed authentication attempts, try again later");
    public static final Reply TLS_NOT_AVAILABLE = Reply.of(454, "4.7.0 TLS not available");
    public static final Reply TIMEOUT = Reply.of(421, "4.4.2 Timeout, closing connection");
    public static final Reply TOO_MANY_ERRORS = Reply.of(421, "4.7.0 Too many errors, closing connection");
    public static final Reply TOO_MANY_CONNECTIONS = Reply.of(421, "4.7.0 Too many connections, try again later");
    public static final Reply IDLE_EVICTED = Reply.of(421, "4.7.0 Idle unauthenticated connection closed to make room, try again later");
    public static final Reply SHUTTING_DOWN = Reply.of(421, "4.3.2 Service shutting down, closing connection");

    public static final Reply UNKNOWN_COMMAND = Reply.of(500, "5.5.2 Command not recognized");
    public static final Reply NOT_IMPLEMENTED = Reply.of(502, "5.5.1 Command not implemented");
    public static final Reply LINE_TOO_LONG = Reply.of(500, "5.5.2 Line too long");
    public static final Reply SYNTAX_ERROR = Reply.of(501, "5.5.4 Syntax error in parameters or arguments");
    public static final Reply BAD_BASE64 = Reply.of(501, "5.5.2 Cannot decode response (invalid base64)");
    public static final Reply AUTH_CANCELLED = Reply.of(501, "5.7.0 Authentication cancelled");
    public static final Reply BAD_SEQUENCE_HELO = Reply.of(503, "5.5.1 Send EHLO or HELO first");
    public static final Reply ALREADY_AUTHENTICATED = Reply.of(503, "5.5.1 Already authenticated");
    public static final Reply SENDER_ALREADY_GIVEN = Reply.of(503, "5.5.1 Sender already specified");
    public static final Reply MAIL_FIRST = Reply.of(503, "5.5.1 Need MAIL command first");
    public static final Reply RCPT_FIRST = Reply.of(503, "5.5.1 Need RCPT command first");
    public static final Reply AUTH_IN_TRANSACTION = Reply.of(503, "5.5.1 AUTH not allowed during a mail transaction");
    public static final Reply UNSUPPORTED_MECHANISM = Reply.of(504, "5.5.4 Unrecognized authentication mechanism (LOGIN and PLAIN are supported)");
    public static final Reply AUTH_REQUIRED = Reply.of(530, "5.7.0 Authentication required");
    public static final Reply TLS_REQUIRED = Reply.of(530, "5.7.0 Must issue a STARTTLS command first");
    public static final Reply AUTH_FAILED = Reply.of(535, "5.7.8 Authentication credentials invalid");
    public static final Reply FREQUENCY_LIMITED = Reply.of(536, "Frequency limited");
    public static final Reply BAD_ADDRESS = Reply.of(501, "5.1.3 Bad address syntax");
    public static final Reply MESSAGE_TOO_BIG = Reply.of(552, "5.3.4 Message size exceeds fixed maximum message size");
    public static final Reply BARE_LINE_ENDING = Reply.of(554, "5.6.0 Message refused: bare CR or LF in message data (lines must end with CRLF)");
    public static final Reply DATA_LINE_TOO_LONG = Reply.of(554, "5.6.0 Message refused: a line is too long");
    public static final Reply NO_VALID_RECIPIENTS = Reply.of(554, "5.5.1 No valid recipients");

    private Replies() {
    }

    public static Reply greeting(final String hostname) {
        return Reply.of(220, hostname + " ESMTP mailpipe ready");
    }

    public static Reply bye(final String hostname) {
        return Reply.of(221, "2.0.0 " + hostname + " closing connection. Have a jolly good day");
    }

    public static Reply sender(final String address) {
        return Reply.of(250, "sender <" + address + "> OK");
    }

    public static Reply recipient(final String address) {
        return Reply.of(250, "recipient <" + address + "> OK");
    }

    public static Reply queued(final String messageId) {
        return Reply.of(250, "#" + messageId + "#Queued");
    }

    public static Reply helo(final String hostname, final String client) {
        return Reply.of(250, hostname + " Hello " + client);
    }

    /**
     * The refusal of a MAIL FROM or RCPT TO address: 553 5.1.3 for an address literal (mailpipe
     * delivers by MX only), 553 5.6.7 for a UTF-8 address without SMTPUTF8 (RFC 6531 §3.4), otherwise
     * {@link #BAD_ADDRESS}.
     */
    public static Reply refusedAddress(final AddressException e) {
        return switch (e.problem()) {
            case ADDRESS_LITERAL -> Reply.of(553, "5.1.3 Address literals are not accepted, use a domain name");
            case NEEDS_SMTPUTF8 -> Reply.of(553, "5.6.7 Non-ASCII address needs MAIL FROM with SMTPUTF8");
            case TOO_LONG -> Reply.of(501, "5.1.3 Address too long");
            case SYNTAX -> BAD_ADDRESS;
        };
    }

    public static Reply xsmtpapiError(final String detail) {
        return Reply.of(550, "5.6.0 xsmtpapi error: " + detail);
    }
}
