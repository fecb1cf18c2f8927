package dev.mailpipe.core.domains;

import dev.mailpipe.core.mail.HeaderBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The author addresses of a message: the addresses in its From: header field(s) (RFC 5322 §3.6.2
 * allows a list). Display names, quoted strings, comments and groups are skipped; encoded words
 * never contain an address that counts. Reads the top-level header through {@link HeaderBlock}, the one
 * header scanner.
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
        final List<String> values = new ArrayList<>();
        for (final HeaderBlock.Field field : HeaderBlock.scan(message, 0, message.length).fields()) {
            if (field.is(name)) {
                values.add(field.value());
            }
        }
        return values;
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
