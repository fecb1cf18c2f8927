package dev.mailpipe.deliverer;

import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.deliverer.dkim.MessageSigner;
import dev.mailpipe.deliverer.dns.AddressPolicy;
import dev.mailpipe.deliverer.dns.MxHost;
import dev.mailpipe.deliverer.dns.MxResolution;
import dev.mailpipe.deliverer.dns.MxResolver;
import dev.mailpipe.deliverer.smtp.OutboundSession;
import dev.mailpipe.deliverer.smtp.SmtpTimeouts;
import dev.mailpipe.deliverer.smtp.SmtpTransport;
import dev.mailpipe.deliverer.smtp.StaleSessionException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery attempt of one email: resolve the recipient domain, then try the MX hosts and
 * each host's addresses in order until one takes the transaction. Connection-level failures
 * (refused, timeout, bad greeting) move on to the next address; once a transaction has started,
 * its reply decides. Thread-safe; blocks, so run it on a virtual thread.
 */
final class MxDeliverer {

    private static final Logger LOG = LoggerFactory.getLogger(MxDeliverer.class);

    /** Opens the byte pipe to an MX address; sockets in production. */
    @FunctionalInterface
    interface Connector {
        SmtpTransport connect(InetSocketAddress address, String hostName, Duration timeout) throws IOException;
    }

    private final MxResolver resolver;
    private final AddressPolicy policy;
    private final int port;
    private final SmtpTimeouts timeouts;
    private final String ehloName;
    private final boolean tls;
    private final ConnectionPool pool;
    private final DestinationLimiter limiter;
    private final Connector connector;
    private final MessageSigner signer;

    MxDeliverer(final MxResolver resolver, final AddressPolicy policy, final int port, final SmtpTimeouts timeouts,
            final String ehloName, final boolean tls, final ConnectionPool pool, final DestinationLimiter limiter,
            final Connector connector) {
        this(resolver, policy, port, timeouts, ehloName, tls, pool, limiter, connector, MessageSigner.NONE);
    }

    MxDeliverer(final MxResolver resolver, final AddressPolicy policy, final int port, final SmtpTimeouts timeouts,
            final String ehloName, final boolean tls, final ConnectionPool pool, final DestinationLimiter limiter,
            final Connector connector, final MessageSigner signer) {
        this.resolver = resolver;
        this.policy = policy;
        this.port = port;
        this.timeouts = timeouts;
        this.ehloName = ehloName;
        this.tls = tls;
        this.pool = pool;
        this.limiter = limiter;
        this.connector = connector;
        this.signer = signer;
    }

    Outcome deliver(final String domain, final String mailFrom, final String recipient, final byte[] content)
            throws InterruptedException {
        return deliver(domain, mailFrom, recipient, content, false);
    }

    /** @param smtputf8 the submission used SMTPUTF8: use it where the next hop offers it ({@code Envelope}) */
    Outcome deliver(final String domain, final String mailFrom, final String recipient, final byte[] content,
            final boolean smtputf8) throws InterruptedException {
        limiter.acquire(domain);
        try {
            return switch (resolver.resolve(domain)) {
                case MxResolution.Permanent p -> Outcome.localBounce(null, p.reason().contains("null MX") ? "5.1.10"
                        : "5.1.2", p.reason());
                case MxResolution.Temporary t -> Outcome.localDeferral(null, "4.4.3", t.reason());
                // signed here, on the bytes the session sends (it only dot-stuffs): nothing changes them afterwards
                case MxResolution.Targets targets -> tryHosts(domain, targets.hosts(), mailFrom, recipient,
                        signer.wireForm(content), smtputf8);
            };
        } finally {
            limiter.release(domain);
        }
    }

    private Outcome tryHosts(final String domain, final List<MxHost> hosts, final String mailFrom,
            final String recipient, final byte[] content, final boolean smtputf8) throws InterruptedException {
        Outcome last = null;
        final List<InetAddress> refused = new ArrayList<>();
        for (final MxHost host : hosts) {
            for (final InetAddress address : host.addresses()) {
                if (!policy.permits(address)) {
                    refused.add(address);
                    continue;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("delivery abandoned");
                }
                final Attempt attempt = tryAddress(host.name(), new InetSocketAddress(address, port), mailFrom,
                        recipient, content, smtputf8);
                if (attempt.decisive()) {
                    return attempt.outcome();
                }
                LOG.debug("{} via {} [{}]: {}, trying the next address", domain, host.name(), address,
                        attempt.outcome().reply());
                last = attempt.outcome();
            }
        }
        if (last == null) {
            return Outcome.localBounce(null, "5.4.4", "every MX address of " + domain
                    + " is in a refused network (loopback, private or link-local): "
                    + refused.stream().map(InetAddress::getHostAddress).toList());
        }
        return last;
    }

    private record Attempt(Outcome outcome, boolean decisive) {
    }

    private Attempt tryAddress(final String host, final InetSocketAddress target, final String mailFrom,
            final String recipient, final byte[] content, final boolean smtputf8) {
        final OutboundSession cached = pool.take(target);
        if (cached != null) {
            try {
                return finish(host, target, cached, cached.send(mailFrom, recipient, content, smtputf8));
            } catch (final StaleSessionException stale) {
                cached.close(); // the server dropped an idle connection: open a fresh one
                LOG.debug("cached connection to {} failed: {}", target, stale.toString());
            } catch (final IOException e) {
                // broke during the transaction: the server may hold the message, so no second copy now
                cached.close();
                return new Attempt(Outcome.localDeferral(host, "4.4.2", "lost connection with " + host + "["
                        + addressText(target) + "] during the transaction: " + describe(e)), true);
            }
        }
        final OutboundSession session;
        try {
            session = new OutboundSession(connector.connect(target, host, timeouts.connect()), timeouts, ehloName, tls);
        } catch (final IOException e) {
            return new Attempt(Outcome.localDeferral(host, "4.4.1", "connect to " + host + "[" + addressText(target)
                    + "]: " + describe(e)), false);
        }
        try {
            final SmtpReply refusal = session.open();
            if (refusal != null) {
                session.quit();
                // a refusing greeting or EHLO is the host's problem, not the recipient's: next MX
                return new Attempt(new Outcome.Deferred(host, refusal, true), false);
            }
        } catch (final IOException e) {
            session.close();
            return new Attempt(Outcome.localDeferral(host, "4.4.2", "no usable SMTP session with " + host + "["
                    + addressText(target) + "]: " + describe(e)), false);
        }
        try {
            return finish(host, target, session, session.send(mailFrom, recipient, content, smtputf8));
        } catch (final IOException e) {
            session.close();
            return new Attempt(Outcome.localDeferral(host, "4.4.2", "lost connection with " + host + "["
                    + addressText(target) + "] during the transaction: " + describe(e)), true);
        }
    }

    private Attempt finish(final String host, final InetSocketAddress target, final OutboundSession session,
            final SmtpReply reply) {
        if (reply.code() == SmtpReply.SERVICE_NOT_AVAILABLE) {
            session.quit();
        } else {
            pool.giveBack(target, session);
        }
        return new Attempt(Outcome.ofReply(host, reply), true);
    }

    private static String addressText(final InetSocketAddress target) {
        return target.getAddress().getHostAddress() + ":" + target.getPort();
    }

    private static String describe(final IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
