package dev.mailpipe.deliverer.dkim;

import dev.mailpipe.core.dkim.DkimSigner;
import dev.mailpipe.core.dkim.MessageText;
import dev.mailpipe.core.domains.FromHeader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes an email's wire form and signs it when its From: domain (or a parent) has keys. The bytes
 * returned are exactly what the SMTP session transmits (it only dot-stuffs), so nothing changes
 * the message after the signature. Thread-safe.
 */
public final class MessageSigner {

    /** Signs nothing: for tests and tools that deliver without a domains table. */
    public static final MessageSigner NONE = new MessageSigner(null, Clock.systemUTC(), null);

    private final DkimKeyring keyring;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Timer signTimer;

    public MessageSigner(final DkimKeyring keyring, final Clock clock, final MeterRegistry registry) {
        this.keyring = keyring;
        this.clock = clock;
        this.registry = registry;
        this.signTimer = registry == null ? null : Timer.builder("mailpipe.deliverer.dkim.sign")
                .description("CPU time spent computing DKIM signatures for one email").register(registry);
    }

    /** {@code content} in wire form, with DKIM-Signature fields in front when its From: domain has keys. */
    public byte[] wireForm(final byte[] content) {
        final byte[] wire = MessageText.wireForm(content);
        if (keyring == null) {
            return wire;
        }
        final List<String> from = FromHeader.domains(wire);
        if (from.isEmpty()) {
            count("unsigned", "no_from");
            return wire;
        }
        final DkimKeyring.Lookup lookup = keyring.keysFor(from.get(0));
        if (lookup.keys().isEmpty()) {
            count("unsigned", lookup.reason() == DkimKeyring.Unsigned.NO_KEYS ? "no_keys" : "key_unusable");
            return wire;
        }
        final long t0 = System.nanoTime();
        final byte[] signed = DkimSigner.sign(wire, lookup.keys(), clock.instant());
        if (signTimer != null) {
            signTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
        count("signed", lookup.keys().size() > 1 ? "both" : lookup.keys().get(0).algorithm().tag());
        return signed;
    }

    private void count(final String result, final String detail) {
        if (registry != null) {
            registry.counter("mailpipe.deliverer.dkim", "result", result, "detail", detail).increment();
        }
    }
}
