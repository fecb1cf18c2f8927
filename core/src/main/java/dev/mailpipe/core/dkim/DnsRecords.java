package dev.mailpipe.core.dkim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DNS records a sender domain publishes, as zone-file lines, and the parsing of what a
 * resolver returns. A TXT character-string holds at most 255 octets, so longer values (an RSA
 * 2048 key is about 400) are split into several quoted strings that resolvers concatenate.
 */
public final class DnsRecords {

    static final int MAX_STRING = 255;

    private DnsRecords() {
    }

    /** {@code S._domainkey.DOMAIN} */
    public static String keyName(final String selector, final String domain) {
        return selector + "._domainkey." + domain;
    }

    /** The TXT value of a key record: {@code v=DKIM1; k=rsa; p=...}. */
    public static String keyValue(final DkimAlgorithm algorithm, final String publicKey) {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + publicKey;
    }

    /** A key's record: {@code S._domainkey.DOMAIN. IN TXT "v=DKIM1; k=rsa; p=..." "..."}. */
    public static String keyRecord(final String selector, final String domain, final DkimAlgorithm algorithm,
            final String publicKey) {
        return txt(keyName(selector, domain), keyValue(algorithm, publicKey));
    }

    /** A suggested SPF record (the operator lists the addresses the deliverers send from). */
    public static String spfRecord(final String domain) {
        return txt(domain, "v=spf1 a mx ~all");
    }

    /** A suggested DMARC record: monitoring only, reports to the domain's own mailbox. */
    public static String dmarcRecord(final String domain) {
        return txt("_dmarc." + domain, "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@" + domain);
    }

    /** A zone-file TXT line, the value split into quoted strings of at most 255 octets. */
    public static String txt(final String name, final String value) {
        final StringBuilder line = new StringBuilder(name).append(". IN TXT");
        for (final String part : split(value)) {
            line.append(" \"").append(part.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return line.toString();
    }

    static List<String> split(final String value) {
        final List<String> parts = new ArrayList<>();
        for (int i = 0; i < value.length(); i += MAX_STRING) {
            parts.add(value.substring(i, Math.min(value.length(), i + MAX_STRING)));
        }
        if (parts.isEmpty()) {
            parts.add("");
        }
        return parts;
    }

    /**
     * The tags of a DKIM key record (RFC 6376 §3.6.1), names lower-cased, whitespace removed from
     * the values (a base64 {@code p=} may be folded).
     */
    public static Map<String, String> tags(final String record) {
        final Map<String, String> tags = new LinkedHashMap<>();
        for (final String part : record.split(";")) {
            final int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            tags.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).replaceAll("\\s+", ""));
        }
        return tags;
    }
}
