package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.accounts.Credentials;
import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.address.Mailbox;
import dev.mailpipe.core.address.PathArgument;
import dev.mailpipe.core.domains.SenderAuthorisation;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import dev.mailpipe.platform.queue.Submission;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SMTP conversation of one connection as a pure state machine: each input (a command line,
 * the outcome of reading DATA, the outcome of queueing) returns a {@link Step} — the replies to
 * send and what the transport should do next. No I/O, no threads; one instance per connection,
 * used by one thread at a time.
 *
 * <p>Call order: {@link #greet()} once; then {@link #onLine} per command line. After a
 * {@link Step.Action.ReadData} step the transport reads the message and calls {@link #onData};
 * after a {@link Step.Action.Submit} it queues the submission and calls {@link #onQueued} or
 * {@link #onQueueFailed}; after {@link Step.Action.StartTls} it upgrades the connection and calls
 * {@link #onTlsStarted}. After {@link Step.Action.Close} nothing more.
 */
public final class InboundSession {

    private enum State { COMMAND, AUTH_LOGIN_USER, AUTH_LOGIN_PASSWORD, AUTH_PLAIN, DATA, QUEUEING, CLOSED }

    private final SessionSettings settings;
    private final SessionServices services;
    private final ClientInfo client;
    private final long sessionNumber;

    private State state = State.COMMAND;
    private String helo;
    private boolean esmtp;
    private String apiUser;
    private String label;
    private boolean authenticated;
    private String pendingLogin;
    private String tlsCipher;
    private String tlsProtocol;
    private String mailFrom;
    private boolean smtputf8;
    private final List<String> recipients = new ArrayList<>();
    private int rcptAttempts;
    private Submission pending;
    private int errors;

    public InboundSession(final SessionSettings settings, final SessionServices services, final ClientInfo client,
            final long sessionNumber) {
        this.settings = settings;
        this.services = services;
        this.client = client;
        this.sessionNumber = sessionNumber;
        this.tlsCipher = client.tlsCipher();
        this.tlsProtocol = client.tlsProtocol();
        this.apiUser = client.trustedAccount();
    }

    public Step greet() {
        return Step.reply(Replies.greeting(settings.hostname()));
    }

    /** The authenticated account, or null. */
    public String apiUser() {
        return apiUser;
    }

    public Step onLine(final String line) {
        return switch (state) {
            case AUTH_LOGIN_USER -> authLoginUser(line);
            case AUTH_LOGIN_PASSWORD -> authLoginPassword(line);
            case AUTH_PLAIN -> authPlainResponse(line);
            case COMMAND -> command(line);
            case DATA, QUEUEING, CLOSED -> throw new IllegalStateException("no command expected in state " + state);
        };
    }

    /** A command line longer than the limit arrived (it was discarded up to its end). */
    public Step onLineTooLong() {
        if (state != State.COMMAND) {
            state = State.COMMAND;
            pendingLogin = null;
        }
        return error(Replies.LINE_TOO_LONG);
    }

    /** The client was silent for too long. */
    public Step onTimeout() {
        state = State.CLOSED;
        return Step.replyThen(Replies.TIMEOUT, new Step.Action.Close());
    }

    /** The server is shutting down. */
    public Step onShutdown() {
        state = State.CLOSED;
        return Step.replyThen(Replies.SHUTTING_DOWN, new Step.Action.Close());
    }

    public Step onData(final DataOutcome outcome) {
        requireState(State.DATA);
        state = State.COMMAND;
        return switch (outcome) {
            case DataOutcome.TooLarge t -> failTransaction(Replies.MESSAGE_TOO_BIG);
            case DataOutcome.BareLineEnding b -> failTransaction(Replies.BARE_LINE_ENDING);
            case DataOutcome.LineTooLong l -> failTransaction(Replies.DATA_LINE_TOO_LONG);
            case DataOutcome.Complete c -> accept(c.content());
        };
    }

    /** The submission handed out with the last {@link Step.Action.Submit} is durably queued. */
    public Step onQueued() {
        requireState(State.QUEUEING);
        final String messageId = pending.messageId();
        resetTransaction();
        state = State.COMMAND;
        return Step.reply(Replies.queued(messageId));
    }

    /** Queueing failed or timed out: nothing was accepted, the client should retry. */
    public Step onQueueFailed() {
        requireState(State.QUEUEING);
        resetTransaction();
        state = State.COMMAND;
        return Step.reply(Replies.QUEUE_FAILED);
    }

    /** TLS is up (RFC 3207 §4.2: forget everything learned before). */
    public void onTlsStarted(final String protocol, final String cipher) {
        tlsProtocol = protocol;
        tlsCipher = cipher;
        helo = null;
        esmtp = false;
        apiUser = client.trustedAccount();
        label = null;
        authenticated = false;
        resetTransaction();
        state = State.COMMAND;
    }

    private Step command(final String line) {
        if (line.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            // RFC 5321 §4.1.1: commands are printable text. A bare CR inside a line (the line itself
            // ends at CRLF) would otherwise be echoed by a reply that quotes a parameter, splitting
            // it for the client (found by SmtpSessionFuzzTest in MAIL FROM's parameters).
            return error(Replies.CONTROL_IN_COMMAND);
        }
        final int space = line.indexOf(' ');
        final String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        final String arg = space < 0 ? "" : line.substring(space + 1).strip();
        return switch (verb) {
            case "EHLO" -> hello(arg, true);
            case "HELO" -> hello(arg, false);
            case "AUTH" -> auth(arg);
            case "MAIL" -> mail(arg);
            case "RCPT" -> rcpt(arg);
            case "DATA" -> data(arg);
            case "RSET" -> {
                resetTransaction();
                yield Step.reply(Replies.RESET_OK);
            }
            case "NOOP" -> Step.reply(Replies.OK);
            case "VRFY" -> Step.reply(Replies.VRFY);
            case "HELP" -> Step.reply(Replies.HELP);
            case "STARTTLS" -> startTls(arg);
            case "QUIT" -> {
                state = State.CLOSED;
                yield Step.replyThen(Replies.bye(settings.hostname()), new Step.Action.Close());
            }
            case "EXPN", "BDAT", "ETRN", "TURN", "ATRN" -> error(Replies.NOT_IMPLEMENTED);
            default -> error(Replies.UNKNOWN_COMMAND);
        };
    }

    private Step hello(final String arg, final boolean extended) {
        if (arg.isEmpty()) {
            return error(Replies.SYNTAX_ERROR);
        }
        final String name = arg.split(" ", 2)[0];
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // a bare CR (or other control) would be echoed in the reply and the Received: header
            // (found by SmtpSessionFuzzTest)
            return error(Replies.SYNTAX_ERROR);
        }
        helo = name;
        esmtp = extended;
        resetTransaction();
        if (!extended) {
            return Step.reply(Replies.helo(settings.hostname(), helo));
        }
        final List<String> lines = new ArrayList<>();
        lines.add(settings.hostname() + " Hello " + helo);
        lines.add("PIPELINING");
        lines.add("8BITMIME");
        lines.add("SIZE " + settings.maxMessageBytes());
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        if (settings.tlsAvailable() && tlsCipher == null) {
            lines.add("STARTTLS");
        }
        if (!settings.requireTlsForAuth() || tlsCipher != null) {
            lines.add("AUTH LOGIN PLAIN");
        }
        return Step.reply(new SmtpReply(250, lines));
    }

    private Step startTls(final String arg) {
        if (!arg.isEmpty()) {
            return error(Replies.SYNTAX_ERROR);
        }
        if (!settings.tlsAvailable() || tlsCipher != null) {
            return error(Replies.TLS_NOT_AVAILABLE);
        }
        return Step.replyThen(Replies.READY_TLS, new Step.Action.StartTls());
    }

    private Step auth(final String arg) {
        if (helo == null) {
            return error(Replies.BAD_SEQUENCE_HELO);
        }
        if (authenticated) {
            return error(Replies.ALREADY_AUTHENTICATED);
        }
        if (mailFrom != null) {
            return error(Replies.AUTH_IN_TRANSACTION);
        }
        if (settings.requireTlsForAuth() && tlsCipher == null) {
            return error(Replies.TLS_REQUIRED);
        }
        if (services.authThrottle().isBlocked(client.address())) {
            return error(Replies.AUTH_THROTTLED);
        }
        final String[] parts = arg.split(" +", 2);
        final String mechanism = parts[0].toUpperCase(Locale.ROOT);
        final String initial = parts.length > 1 ? parts[1].strip() : null;
        switch (mechanism) {
            case "LOGIN" -> {
                if (initial == null) {
                    state = State.AUTH_LOGIN_USER;
                    return Step.reply(Replies.AUTH_USERNAME);
                }
                return authLoginUser(initial);
            }
            case "PLAIN" -> {
                if (initial == null) {
                    state = State.AUTH_PLAIN;
                    return Step.reply(Replies.AUTH_PLAIN_CONTINUE);
                }
                return authPlainResponse(initial);
            }
            default -> {
                return error(Replies.UNSUPPORTED_MECHANISM);
            }
        }
    }

    private Step authLoginUser(final String line) {
        if (line.equals("*")) {
            return cancelAuth();
        }
        final Optional<String> user = decodeBase64(line);
        if (user.isEmpty()) {
            state = State.COMMAND;
            return error(Replies.BAD_BASE64);
        }
        pendingLogin = user.get();
        state = State.AUTH_LOGIN_PASSWORD;
        return Step.reply(Replies.AUTH_PASSWORD);
    }

    private Step authLoginPassword(final String line) {
        if (line.equals("*")) {
            return cancelAuth();
        }
        final Optional<String> key = decodeBase64(line);
        state = State.COMMAND;
        final String login = pendingLogin;
        pendingLogin = null;
        if (key.isEmpty()) {
            return error(Replies.BAD_BASE64);
        }
        return finishAuth(login, key.get());
    }

    private Step authPlainResponse(final String line) {
        if (line.equals("*")) {
            return cancelAuth();
        }
        state = State.COMMAND;
        final Optional<String> decoded = decodeBase64(line);
        if (decoded.isEmpty()) {
            return error(Replies.BAD_BASE64);
        }
        // authzid NUL authcid NUL passwd (RFC 4616)
        final String[] fields = decoded.get().split("\u0000", -1);
        if (fields.length != 3) {
            return error(Replies.SYNTAX_ERROR);
        }
        final String login = fields[1].isEmpty() ? fields[0] : fields[1];
        return finishAuth(login, fields[2]);
    }

    private Step cancelAuth() {
        state = State.COMMAND;
        pendingLogin = null;
        return error(Replies.AUTH_CANCELLED);
    }

    private Step finishAuth(final String login, final String key) {
        final Credentials credentials = Credentials.parse(login);
        if (!credentials.apiUser().isEmpty() && services.authenticator().verify(credentials.apiUser(), key)) {
            apiUser = credentials.apiUser();
            label = credentials.label();
            authenticated = true;
            return Step.reply(Replies.AUTH_OK);
        }
        services.authThrottle().recordFailure(client.address());
        return error(Replies.AUTH_FAILED);
    }

    private Step mail(final String arg) {
        if (helo == null) {
            return error(Replies.BAD_SEQUENCE_HELO);
        }
        if (apiUser == null) {
            return error(Replies.AUTH_REQUIRED);
        }
        if (mailFrom != null) {
            return error(Replies.SENDER_ALREADY_GIVEN);
        }
        if (!arg.regionMatches(true, 0, "FROM:", 0, 5)) {
            return error(Replies.SYNTAX_ERROR);
        }
        final Optional<PathArgument> path = PathArgument.parse(arg.substring(5));
        if (path.isEmpty()) {
            return error(Replies.SYNTAX_ERROR);
        }
        boolean utf8 = false;
        for (final String parameter : path.get().parameters().split(" +")) {
            if (parameter.isEmpty()) {
                continue;
            }
            final String upper = parameter.toUpperCase(Locale.ROOT);
            if (upper.startsWith("SIZE=")) {
                final long size;
                try {
                    size = Long.parseLong(parameter.substring(5));
                } catch (final NumberFormatException e) {
                    return error(Replies.SYNTAX_ERROR);
                }
                if (size > settings.maxMessageBytes()) {
                    return error(Replies.MESSAGE_TOO_BIG);
                }
            } else if (upper.equals("SMTPUTF8")) {
                utf8 = true; // RFC 6531 §3.4
            } else if (!upper.equals("BODY=8BITMIME") && !upper.equals("BODY=7BIT") && !upper.startsWith("AUTH=")) {
                return error(SmtpReply.of(555, "5.5.4 Unsupported parameter " + parameter));
            }
        }
        final String address = path.get().address();
        if (!address.isEmpty()) {
            try {
                Mailbox.parse(address, utf8);
            } catch (final AddressException e) {
                return error(Replies.refusedAddress(e));
            }
        }
        if (services.senders().checkEnvelope(apiUser, address) instanceof SenderAuthorisation.Refused refused) {
            return error(Replies.senderRefused(refused.text()));
        }
        if (!services.rateLimiter().tryAcquire(apiUser)) {
            return error(Replies.FREQUENCY_LIMITED);
        }
        mailFrom = address;
        smtputf8 = utf8;
        return Step.reply(Replies.sender(address));
    }

    private Step rcpt(final String arg) {
        if (helo == null) {
            return error(Replies.BAD_SEQUENCE_HELO);
        }
        if (apiUser == null) {
            return error(Replies.AUTH_REQUIRED);
        }
        if (mailFrom == null) {
            return error(Replies.MAIL_FIRST);
        }
        rcptAttempts++;
        if (!arg.regionMatches(true, 0, "TO:", 0, 3)) {
            return error(Replies.SYNTAX_ERROR);
        }
        final Optional<PathArgument> path = PathArgument.parse(arg.substring(3));
        if (path.isEmpty()) {
            return error(Replies.BAD_ADDRESS);
        }
        try {
            Mailbox.parse(path.get().address(), smtputf8);
        } catch (final AddressException e) {
            return error(Replies.refusedAddress(e));
        }
        if (!path.get().parameters().isEmpty()) {
            return error(SmtpReply.of(555, "5.5.4 Unsupported parameter " + path.get().parameters()));
        }
        if (recipients.size() >= settings.maxRecipients()) {
            return error(Replies.TOO_MANY_RECIPIENTS);
        }
        recipients.add(path.get().address());
        return Step.reply(Replies.recipient(path.get().address()));
    }

    private Step data(final String arg) {
        if (helo == null) {
            return error(Replies.BAD_SEQUENCE_HELO);
        }
        if (apiUser == null) {
            return error(Replies.AUTH_REQUIRED);
        }
        if (!arg.isEmpty()) {
            return error(Replies.SYNTAX_ERROR);
        }
        if (mailFrom == null) {
            return error(Replies.MAIL_FIRST);
        }
        if (recipients.isEmpty()) {
            return error(rcptAttempts > 0 ? Replies.NO_VALID_RECIPIENTS : Replies.RCPT_FIRST);
        }
        state = State.DATA;
        return Step.replyThen(Replies.START_DATA,
                new Step.Action.ReadData(settings.maxMessageBytes(), settings.maxDataLineLength()));
    }

    private Step accept(final byte[] content) {
        try {
            XSmtpApiHeader.read(content, recipients.size(), smtputf8); // the expander reads it the same way
        } catch (final XSmtpApiException e) {
            return failTransaction(Replies.xsmtpapiError(e.getMessage()));
        }
        if (services.senders().checkFrom(apiUser, content) instanceof SenderAuthorisation.Refused refused) {
            return failTransaction(Replies.senderRefused(refused.text()));
        }
        final Instant now = services.clock().instant();
        final String messageId = services.messageIds().next(sessionNumber);
        final String received = ReceivedHeader.render(helo, client.address(), settings.hostname(), esmtp,
                authenticated, tlsProtocol, tlsCipher,
                messageId, now);
        pending = new Submission(messageId, apiUser, label, mailFrom, recipients, now, client.address(), helo,
                tlsCipher, ReceivedHeader.prepend(received, content),
                services.authenticator().trackingDefaults(apiUser), smtputf8, Submission.SMTP);
        state = State.QUEUEING;
        return new Step(List.of(), new Step.Action.Submit(pending));
    }

    private Step failTransaction(final SmtpReply reply) {
        resetTransaction();
        return error(reply);
    }

    private void resetTransaction() {
        mailFrom = null;
        smtputf8 = false;
        recipients.clear();
        rcptAttempts = 0;
        pending = null;
    }

    /** An error reply; after too many the session ends (a client that keeps failing is likely hostile). */
    private Step error(final SmtpReply reply) {
        errors++;
        if (errors >= settings.maxErrors()) {
            state = State.CLOSED;
            return new Step(List.of(reply, Replies.TOO_MANY_ERRORS), new Step.Action.Close());
        }
        return Step.reply(reply);
    }

    private void requireState(final State expected) {
        if (state != expected) {
            throw new IllegalStateException("expected state " + expected + " but was " + state);
        }
    }

    private static Optional<String> decodeBase64(final String line) {
        if (line.equals("=")) {
            return Optional.of("");
        }
        try {
            return Optional.of(new String(Base64.getDecoder().decode(line.strip()), StandardCharsets.UTF_8));
        } catch (final IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
