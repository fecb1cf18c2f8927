package dev.mailpipe.deliverer;

import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.schemas.BounceClass;
import java.util.Set;

/**
 * Hard or soft, for a permanent failure (5xx), from its RFC 3463 enhanced status code. Pure.
 *
 * <p>Hard means <em>the address</em> will not take mail, so it is suppressed: a wrong class
 * silences a real person for good, so only codes that say so about the recipient are hard. Every
 * other permanent failure (policy, content, size, mailbox full, protocol, routing that may be
 * ours) is soft: this email failed, the address may work tomorrow.
 */
public final class BounceClassifier {

    /**
     * 5.1.1 bad destination mailbox, 5.1.2 bad destination system (the domain does not exist),
     * 5.1.3 bad destination mailbox address syntax, 5.1.6 mailbox has moved (no forwarding),
     * 5.1.10 recipient address has null MX (RFC 7505), 5.2.1 mailbox disabled.
     */
    private static final Set<String> HARD = Set.of("5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.2.1");

    private BounceClassifier() {
    }

    /**
     * The class of a permanent failure. Without an enhanced code, 551 (user not local) and 553
     * (mailbox name not allowed) are hard (RFC 5321 §4.2.2 gives them only for recipient
     * problems); a bare 550 is soft, since servers use it for policy refusals as often as for
     * unknown users.
     */
    public static BounceClass classify(final SmtpReply reply) {
        final String enhanced = reply.enhancedStatus();
        if (enhanced != null) {
            return HARD.contains(normalise(enhanced)) ? BounceClass.hard : BounceClass.soft;
        }
        return reply.code() == 551 || reply.code() == 553 ? BounceClass.hard : BounceClass.soft;
    }

    /** {@code 5.01.001} → {@code 5.1.1}: RFC 3463 numbers have no leading zeros, some servers write them. */
    private static String normalise(final String enhanced) {
        final String[] parts = enhanced.strip().split("\\.");
        if (parts.length != 3) {
            return enhanced;
        }
        try {
            return Integer.parseInt(parts[0]) + "." + Integer.parseInt(parts[1]) + "." + Integer.parseInt(parts[2]);
        } catch (final NumberFormatException e) {
            return enhanced;
        }
    }
}
