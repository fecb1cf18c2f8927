package dev.mailpipe.core.domains;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The author addresses of a message: the addresses in its From: header field(s) (RFC 5322 §3.6.2
 * allows a list). Display names, quoted strings, comments and groups are skipped; encoded words
 * never contain an address that counts. Reads the raw header section only.
 */
public final class FromHeader {

    private FromHeader() {
    }

    /** Every address of every From: field of {@code message} (raw bytes, header up to the first empty line). */
    public static List<String> addresses(final byte[] message) {
        final List<String> out = new ArrayList<>();
        for (final String value : fieldValues(message, "from")) {
            out.addAll(addressesIn(value));
        }
        return out;
    }

    /** The domains of {@link #addresses}, normalised, in order, without duplicates; invalid ones as written. */
    public static List<String> domains(final byte[] message) {
        final List<String> out = new ArrayList<>();
        for (final String address : addresses(message)) {
            final int at = address.lastIndexOf('@');
            final String raw = address.substring(at + 1);
            final String domain = DomainNames.normalise(raw).orElse(raw.toLowerCase(Locale.ROOT));
            if (!out.contains(domain)) {
                out.add(domain);
            }
        }
        return out;
    }

    static List<String> fieldValues(final byte[] message, final String name) {
        final String text = new String(message, 0, headerLength(message), StandardCharsets.UTF_8);
        final List<String> values = new ArrayList<>();
        StringBuilder current = null;
        for (final String line : text.split("\r\n|\n|\r")) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (current != null) {
                    current.append(line);
                }
                continue;
            }
            if (current != null) {
                values.add(current.toString());
                current = null;
            }
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                current = new StringBuilder(line.substring(colon + 1));
            }
        }
        if (current != null) {
            values.add(current.toString());
        }
        return values;
    }

    private static int headerLength(final byte[] m) {
        for (int i = 0; i < m.length; i++) {
            if (m[i] == '\n' && (i + 1 < m.length && m[i + 1] == '\n'
                    || i + 2 < m.length && m[i + 1] == '\r' && m[i + 2] == '\n')) {
                return i + 1;
            }
        }
        return m.length;
    }

    /** Addresses in a mailbox-list: {@code <a@b>} forms, else bare {@code a@b} tokens. */
    static List<String> addressesIn(final String value) {
        final String plain = withoutCommentsAndQuotes(value);
        final List<String> out = new ArrayList<>();
        for (String mailbox : plain.split(",")) {
            final int colon = mailbox.indexOf(':');
            if (colon >= 0 && mailbox.indexOf('<') < 0 || colon >= 0 && colon < mailbox.indexOf('<')) {
                mailbox = mailbox.substring(colon + 1); // group "name: a@b, c@d;"
            }
            mailbox = mailbox.replace(";", "");
            final int lt = mailbox.indexOf('<');
            final int gt = mailbox.indexOf('>', lt + 1);
            final String address = lt >= 0 && gt > lt ? mailbox.substring(lt + 1, gt) : mailbox;
            final String a = address.strip();
            if (a.indexOf('@') > 0) {
                out.add(a);
            }
        }
        return out;
    }

    private static String withoutCommentsAndQuotes(final String value) {
        final StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == '\\' && (quoted || depth > 0)) {
                i++;
                continue;
            }
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                if (c == '"') {
                    quoted = true;
                } else {
                    out.append(c);
                }
            }
        }
        return out.toString();
    }
}
