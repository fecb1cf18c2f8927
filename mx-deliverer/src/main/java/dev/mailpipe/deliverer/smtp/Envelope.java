package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.address.Mailbox;
import dev.mailpipe.core.smtp.SmtpReply;

/**
 * The MAIL FROM and RCPT TO paths of one transaction as they go to a given next hop (RFC 6531).
 * With SMTPUTF8 offered and wanted (the submission used it, or an address is not ASCII) the
 * addresses go as written with the {@code SMTPUTF8} parameter. Without it, internationalised
 * domains go as A-labels ({@code bücher.example} → {@code xn--bcher-kva.example}), and a
 * non-ASCII local part cannot go at all: the email bounces with 5.6.7 (RFC 6531 §3.2 forbids
 * downgrading the address itself).
 *
 * @param mailFrom the reverse path, possibly empty (the null path)
 * @param smtputf8 whether MAIL FROM carries the SMTPUTF8 parameter
 */
public record Envelope(String mailFrom, String recipient, boolean smtputf8) {

    /**
     * @param wanted  the submission used SMTPUTF8 (OutboundEmail.smtputf8)
     * @param offered the next hop announced SMTPUTF8 in its EHLO reply
     * @return the envelope, or null when it cannot go to this hop (then {@link #refusal} says why)
     */
    public static Envelope choose(final String mailFrom, final String recipient, final boolean wanted,
            final boolean offered) {
        final boolean ascii = isAscii(mailFrom) && isAscii(recipient);
        if (offered && (wanted || !ascii)) {
            return new Envelope(mailFrom, recipient, true);
        }
        if (ascii) {
            return new Envelope(mailFrom, recipient, false);
        }
        final String from = asciiForm(mailFrom);
        final String to = asciiForm(recipient);
        return from == null || to == null ? null : new Envelope(from, to, false);
    }

    /** The reply mailpipe gives itself when {@link #choose} found no way to this hop. */
    public static SmtpReply refusal(final String mailFrom, final String recipient) {
        final String which = isAscii(asciiFormOrSelf(recipient)) ? mailFrom : recipient;
        return SmtpReply.of(553, "5.6.7", "the next hop does not offer SMTPUTF8, which the address <" + which
                + "> needs (RFC 6531)");
    }

    private static String asciiFormOrSelf(final String address) {
        final String ascii = asciiForm(address);
        return ascii == null ? address : ascii;
    }

    /** The address with its domain as A-labels, or null when its local part is not ASCII. */
    private static String asciiForm(final String address) {
        if (address.isEmpty() || isAscii(address)) {
            return address;
        }
        try {
            final Mailbox mailbox = Mailbox.parse(address, true);
            return mailbox.hasAsciiLocalPart() ? mailbox.withAsciiDomain() : null;
        } catch (final AddressException e) {
            return null;
        }
    }

    private static boolean isAscii(final String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
