package dev.mailpipe.expander.smtpapi;

import java.util.Locale;

/** Minimal checks on plain addresses ({@code local@domain}); full RFC 5321 validation is ingest's job. */
public final class Addresses {

    private Addresses() {
    }

    /** True for {@code local@domain} without spaces, controls, angle brackets, commas or quotes-breaking chars. */
    public static boolean isPlainAddress(final String address) {
        final int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || address.length() > 320) {
            return false;
        }
        for (int i = 0; i < address.length(); i++) {
            final char c = address.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '(' || c == ')') {
                return false;
            }
        }
        return address.indexOf('@') == at;
    }

    /** Lower-case domain part ({@code Ben@IFaxin.COM} → {@code ifaxin.com}); the Kafka key of the email. */
    public static String domainOf(final String address) {
        final int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return domain.toLowerCase(Locale.ROOT);
    }

    /** The value, shortened and with controls escaped, for error messages. */
    static String printable(final String value) {
        final String shortened = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        final StringBuilder out = new StringBuilder();
        for (final char c : shortened.toCharArray()) {
            if (c < ' ' || c == 0x7f) {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return "\"" + out + "\"";
    }
}
