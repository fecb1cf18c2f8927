package dev.mailpipe.core.address;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One mailbox address, {@code local-part@domain}, as RFC 5321 §4.1.2 writes it in MAIL FROM and
 * RCPT TO, extended by RFC 6531 §3.3 when the transaction uses SMTPUTF8. The one address model of
 * mailpipe: ingest checks envelope paths with it, the X-SMTPAPI {@code to} list is checked with it,
 * the expander and the deliverer take the domain from it. Pure.
 *
 * <ul>
 *   <li>local part: a dot-atom ({@code ben.smith+x}) or a quoted string ({@code "a b"}, with
 *       {@code \"} and {@code \\} as quoted pairs); at most 64 octets;</li>
 *   <li>domain: dot-separated labels of letters, digits and hyphens; with SMTPUTF8 also U-labels
 *       ({@code bücher.example}) that IDNA can turn into A-labels; at most 255 octets;</li>
 *   <li>address literals ({@code [192.0.2.1]}, {@code [IPv6:...]}) are refused with their own
 *       problem: mailpipe delivers by MX lookup only;</li>
 *   <li>without SMTPUTF8 any non-ASCII character is refused with its own problem (5.6.7).</li>
 * </ul>
 *
 * @param localPart the local part as written, quotes included
 * @param domain    the domain as written (not lower-cased)
 */
public record Mailbox(String localPart, String domain) {

    public static final int MAX_LOCAL_OCTETS = 64;
    public static final int MAX_DOMAIN_OCTETS = 255;
    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
    public static final int MAX_ADDRESS_OCTETS = 254;

    /** The address as it goes on the wire: {@code local@domain}. */
    public String address() {
        return localPart + "@" + domain;
    }

    /** Whether the address has no character outside US-ASCII (then it needs no SMTPUTF8). */
    public boolean isAscii() {
        return isAscii(localPart) && isAscii(domain);
    }

    /** Whether only the domain would need SMTPUTF8 (then its A-label form can go out without it). */
    public boolean hasAsciiLocalPart() {
        return isAscii(localPart);
    }

    /**
     * The domain in lower-case ASCII, U-labels as A-labels ({@code Bücher.Example} →
     * {@code xn--bcher-kva.example}): what DNS is asked and what keys an email on Kafka.
     */
    public String asciiDomain() {
        return toAscii(domain).toLowerCase(Locale.ROOT);
    }

    /** The address with its domain as {@link #asciiDomain()}, for a next hop without SMTPUTF8. */
    public String withAsciiDomain() {
        return localPart + "@" + asciiDomain();
    }

    @Override
    public String toString() {
        return address();
    }

    /**
     * Parses an address without angle brackets.
     *
     * @param smtputf8 whether the transaction uses SMTPUTF8 (RFC 6531), allowing UTF-8 in both parts
     * @throws AddressException when the address is not one mailpipe takes; {@link AddressException#problem()} says why
     */
    public static Mailbox parse(final String address, final boolean smtputf8) throws AddressException {
        if (address == null || address.isEmpty()) {
            throw new AddressException(AddressException.Problem.SYNTAX, "empty address");
        }
        final int at = localPartEnd(address);
        if (at <= 0 || at >= address.length() - 1 || address.charAt(at) != '@') {
            throw new AddressException(AddressException.Problem.SYNTAX, "not local@domain: " + printable(address));
        }
        final String local = address.substring(0, at);
        final String domain = address.substring(at + 1);
        if (domain.startsWith("[")) {
            if (!domain.endsWith("]")) {
                throw new AddressException(AddressException.Problem.SYNTAX, "unterminated address literal: "
                        + printable(address));
            }
            throw new AddressException(AddressException.Problem.ADDRESS_LITERAL,
                    "address literals are not accepted, use a domain name: " + printable(address));
        }
        checkDomain(domain, address);
        if (octets(local) > MAX_LOCAL_OCTETS || octets(domain) > MAX_DOMAIN_OCTETS
                || octets(address) > MAX_ADDRESS_OCTETS) {
            throw new AddressException(AddressException.Problem.TOO_LONG, "address too long: " + printable(address));
        }
        if (!smtputf8 && !isAscii(address)) {
            throw new AddressException(AddressException.Problem.NEEDS_SMTPUTF8,
                    "non-ASCII address needs MAIL FROM with SMTPUTF8: " + printable(address));
        }
        return new Mailbox(local, domain);
    }

    /** Like {@link #parse} but only says whether the address is acceptable. */
    public static boolean isValid(final String address, final boolean smtputf8) {
        try {
            parse(address, smtputf8);
            return true;
        } catch (final AddressException e) {
            return false;
        }
    }

    /**
     * Index of the {@code @} ending a syntactically valid local part, or -1. A quoted local part
     * ends at its closing quote; a dot-atom at the first {@code @}.
     */
    private static int localPartEnd(final String s) {
        if (s.charAt(0) == '"') {
            for (int i = 1; i < s.length(); i++) {
                final char c = s.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= s.length() || !isQuotedPairChar(s.charAt(i + 1))) {
                        return -1;
                    }
                    i++;
                } else if (c == '"') {
                    return i > 1 && i + 1 < s.length() && s.charAt(i + 1) == '@' ? i + 1 : -1;
                } else if (!isQtext(c)) {
                    return -1;
                }
            }
            return -1;
        }
        boolean previousDot = true; // no leading dot
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '@') {
                return previousDot ? -1 : i; // no trailing dot, not empty
            }
            if (c == '.') {
                if (previousDot) {
                    return -1;
                }
                previousDot = true;
            } else if (isAtext(c)) {
                previousDot = false;
            } else {
                return -1;
            }
        }
        return -1;
    }

    private static void checkDomain(final String domain, final String address) throws AddressException {
        for (final String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 && isAscii(label)) {
                throw new AddressException(AddressException.Problem.SYNTAX, "bad domain: " + printable(address));
            }
            if (isAscii(label)) {
                for (int i = 0; i < label.length(); i++) {
                    final char c = label.charAt(i);
                    if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                        throw new AddressException(AddressException.Problem.SYNTAX, "bad domain: "
                                + printable(address));
                    }
                }
            } else {
                try {
                    final String ascii = IDN.toASCII(label, 0);
                    if (ascii.isEmpty() || ascii.length() > 63) {
                        throw new IllegalArgumentException("label length");
                    }
                } catch (final IllegalArgumentException e) {
                    throw new AddressException(AddressException.Problem.SYNTAX, "bad internationalised domain: "
                            + printable(address));
                }
            }
        }
    }

    private static String toAscii(final String domain) {
        if (isAscii(domain)) {
            return domain;
        }
        try {
            return IDN.toASCII(domain, 0);
        } catch (final IllegalArgumentException e) {
            return domain; // parse() refused such domains; a hand-built Mailbox keeps its text
        }
    }

    /** RFC 5322 atext, plus UTF8-non-ascii of RFC 6531 (C0/C1 controls never). */
    private static boolean isAtext(final char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        if (c < 0x80) {
            return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
        }
        return isNonAsciiText(c);
    }

    /** RFC 5321 qtextSMTP (%d32-33 / %d35-91 / %d93-126) plus UTF8-non-ascii. */
    private static boolean isQtext(final char c) {
        if (c < 0x80) {
            return c >= 32 && c <= 126 && c != '"' && c != '\\';
        }
        return isNonAsciiText(c);
    }

    /** RFC 5321 quoted-pairSMTP: backslash followed by %d32-126. */
    private static boolean isQuotedPairChar(final char c) {
        return c >= 32 && c <= 126;
    }

    private static boolean isNonAsciiText(final char c) {
        return c > 0x9f && !Character.isISOControl(c) && c != '\u2028' && c != '\u2029';
    }

    static boolean isAscii(final String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int octets(final String s) {
        return isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The value, shortened, quoted and with controls escaped, for replies and error messages. */
    public static String printable(final String value) {
        final String shortened = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        final StringBuilder out = new StringBuilder(shortened.length() + 2).append('"');
        for (int i = 0; i < shortened.length(); i++) {
            final char c = shortened.charAt(i);
            if (c < ' ' || c == 0x7f || c >= 0x80 && c <= 0x9f) {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
