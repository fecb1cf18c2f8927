package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The client side of one SMTP connection to an MX host. Call order: {@link #open()} once, then
 * {@link #send} any number of times (an RSET precedes every transaction but the first, pipelined
 * with it when the server offers PIPELINING), then {@link #quit()}. Protocol failures are replies;
 * transport failures and timeouts are {@link IOException}s, after which the session must be closed
 * ({@link StaleSessionException} when a reused session failed before the transaction began). Not
 * thread-safe.
 */
public final class OutboundSession implements AutoCloseable {

    private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(2);

    private final SmtpTransport transport;
    private final SmtpTimeouts timeouts;
    private final String ehloName;
    private final boolean useTls;
    private Set<String> capabilities = Set.of();
    private int transactions;

    public OutboundSession(final SmtpTransport transport, final SmtpTimeouts timeouts, final String ehloName,
            final boolean useTls) {
        this.transport = transport;
        this.timeouts = timeouts;
        this.ehloName = ehloName;
        this.useTls = useTls;
    }

    /**
     * Reads the greeting, says EHLO (HELO when EHLO is refused) and upgrades with STARTTLS when
     * offered. Returns {@code null} when the session is ready for mail, otherwise the refusing reply.
     */
    public SmtpReply open() throws IOException {
        final SmtpReply greeting = transport.read(timeouts.greeting());
        if (greeting.code() != SmtpReply.SERVICE_READY) {
            return greeting;
        }
        final SmtpReply hello = hello();
        if (!hello.positive()) {
            return hello;
        }
        if (useTls && capabilities.contains("STARTTLS") && !transport.tlsActive()) {
            final SmtpReply starttls = command("STARTTLS", timeouts.command());
            if (starttls.code() == SmtpReply.SERVICE_READY) {
                transport.startTls();
                capabilities = Set.of();
                final SmtpReply again = hello();
                if (!again.positive()) {
                    return again;
                }
            }
            // any other reply: continue in clear text (opportunistic TLS)
        }
        return null;
    }

    /** EHLO keywords the server announced, upper case (e.g. PIPELINING, STARTTLS, 8BITMIME). */
    public Set<String> capabilities() {
        return capabilities;
    }

    public int transactions() {
        return transactions;
    }

    public boolean tlsActive() {
        return transport.tlsActive();
    }

    /**
     * One mail transaction for one recipient. Returns the decisive reply: the first refusal of
     * MAIL, RCPT or DATA, or the reply to the final dot.
     */
    public SmtpReply send(final String mailFrom, final String recipient, final byte[] content) throws IOException {
        return send(mailFrom, recipient, content, false);
    }

    /**
     * Like {@link #send(String, String, byte[])}, for a submission that used SMTPUTF8 (or has UTF-8
     * addresses): see {@link Envelope} for what goes to a hop with and without SMTPUTF8. When the
     * email cannot go to this hop the reply is mailpipe's own {@code 553 5.6.7} and nothing is sent.
     */
    public SmtpReply send(final String mailFrom, final String recipient, final byte[] content, final boolean smtputf8)
            throws IOException {
        final Envelope envelope = Envelope.choose(mailFrom, recipient, smtputf8, capabilities.contains("SMTPUTF8"));
        if (envelope == null) {
            return Envelope.refusal(mailFrom, recipient);
        }
        final boolean reset = transactions > 0;
        transactions++;
        final String mail = "MAIL FROM:<" + envelope.mailFrom() + ">" + mailParameters(content)
                + (envelope.smtputf8() ? " SMTPUTF8" : "");
        final String rcpt = "RCPT TO:<" + envelope.recipient() + ">";
        final SmtpReply mailReply;
        final SmtpReply rcptReply;
        final SmtpReply dataReply;
        if (capabilities.contains("PIPELINING")) {
            // RFC 2920 lets RSET lead a pipelined group: one round trip per transaction instead of two
            try {
                if (reset) {
                    writeLine("RSET");
                }
                writeLine(mail);
                writeLine(rcpt);
                writeLine("DATA");
                transport.flush();
            } catch (final IOException e) {
                throw reset ? stale(e) : e;
            }
            if (reset) {
                awaitReset(() -> transport.read(timeouts.command()));
            }
            mailReply = transport.read(timeouts.command());
            rcptReply = transport.read(timeouts.command());
            dataReply = transport.read(timeouts.dataInit());
        } else {
            if (reset) {
                awaitReset(() -> command("RSET", timeouts.command()));
            }
            mailReply = command(mail, timeouts.command());
            if (!mailReply.positive()) {
                return mailReply;
            }
            rcptReply = command(rcpt, timeouts.command());
            if (!rcptReply.positive()) {
                return rcptReply;
            }
            dataReply = command("DATA", timeouts.dataInit());
        }
        final SmtpReply refusal = !mailReply.positive() ? mailReply : !rcptReply.positive() ? rcptReply : null;
        if (dataReply.code() != SmtpReply.START_MAIL_INPUT) {
            return refusal != null ? refusal : dataReply;
        }
        if (refusal != null) {
            // RFC 2920 §3.1: a server that accepted DATA after a refused RCPT gets an empty message
            transport.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            transport.flush();
            transport.read(timeouts.dataEnd());
            return refusal;
        }
        transport.write(DataEncoder.encode(content));
        transport.flush();
        return transport.read(timeouts.dataEnd());
    }

    /** Says QUIT politely (briefly waiting for 221) and closes; never throws. */
    public void quit() {
        try {
            writeLine("QUIT");
            transport.flush();
            transport.read(QUIT_TIMEOUT);
        } catch (final IOException ignored) {
            // closing anyway
        } finally {
            transport.close();
        }
    }

    @Override
    public void close() {
        transport.close();
    }

    private SmtpReply hello() throws IOException {
        final SmtpReply ehlo = command("EHLO " + ehloName, timeouts.command());
        if (ehlo.positive()) {
            capabilities = keywords(ehlo.lines());
            return ehlo;
        }
        if (ehlo.permanentNegative()) {
            capabilities = Set.of();
            return command("HELO " + ehloName, timeouts.command());
        }
        return ehlo;
    }

    private String mailParameters(final byte[] content) {
        final StringBuilder params = new StringBuilder();
        if (capabilities.contains("8BITMIME") && !isAscii(content)) {
            params.append(" BODY=8BITMIME");
        }
        if (capabilities.contains("SIZE")) {
            params.append(" SIZE=").append(content.length);
        }
        return params.toString();
    }

    private static boolean isAscii(final byte[] content) {
        for (final byte b : content) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> keywords(final List<String> lines) {
        final Set<String> keywords = new HashSet<>();
        for (int i = 1; i < lines.size(); i++) {
            final String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            final int space = line.indexOf(' ');
            keywords.add((space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT));
        }
        return Set.copyOf(keywords);
    }

    private interface ReplyCall {
        SmtpReply get() throws IOException;
    }

    /** The RSET's reply via {@code reply}: the connection is stale when it breaks there or the RSET is refused. */
    private static void awaitReset(final ReplyCall reply) throws StaleSessionException {
        final SmtpReply rset;
        try {
            rset = reply.get();
        } catch (final IOException e) {
            throw stale(e);
        }
        if (!rset.positive()) {
            throw new StaleSessionException("RSET refused: " + rset, null);
        }
    }

    private static StaleSessionException stale(final IOException e) {
        return new StaleSessionException("reused connection broke before the transaction: " + e, e);
    }

    private SmtpReply command(final String line, final Duration timeout) throws IOException {
        writeLine(line);
        transport.flush();
        return transport.read(timeout);
    }

    private void writeLine(final String line) throws IOException {
        transport.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
}
