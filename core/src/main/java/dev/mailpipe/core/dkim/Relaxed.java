package dev.mailpipe.core.dkim;

import java.security.MessageDigest;
import java.util.Locale;

/** The "relaxed" canonicalisations of RFC 6376 §3.4.2 (header) and §3.4.4 (body). */
final class Relaxed {

    private Relaxed() {
    }

    /**
     * One header field: name lower-cased, folding removed, runs of WSP made one SP, WSP around the
     * colon and at the end removed; ends with CRLF. Input and output are ISO-8859-1 (bytes kept).
     */
    static String header(final String field) {
        final int colon = field.indexOf(':');
        final String name = field.substring(0, colon).replaceAll("[ \\t]+$", "").toLowerCase(Locale.ROOT);
        final String value = field.substring(colon + 1)
                .replace("\r\n", "").replace("\r", "").replace("\n", "")
                .replaceAll("[ \\t]+", " ")
                .replaceAll("^ | $", "");
        return name + ":" + value + "\r\n";
    }

    /**
     * Feeds the relaxed body (from {@code start}) to {@code digest}: in each line runs of WSP become
     * one SP and trailing WSP goes; empty lines at the end go; a non-empty body ends with CRLF.
     * The body must be in wire form (CRLF line endings).
     */
    static void body(final byte[] message, final int start, final MessageDigest digest) {
        final byte[] line = new byte[Math.max(16, message.length - start)];
        int pendingEmptyLines = 0;
        int i = start;
        while (i < message.length) {
            int n = 0;
            boolean inWsp = false;
            while (i < message.length && message[i] != '\r' && message[i] != '\n') {
                final byte b = message[i++];
                if (b == ' ' || b == '\t') {
                    inWsp = true;
                    continue;
                }
                if (inWsp) {
                    line[n++] = ' ';
                    inWsp = false;
                }
                line[n++] = b;
            }
            // skip the line ending (CRLF; a stray CR or LF counts as one too)
            if (i < message.length && message[i] == '\r') {
                i++;
            }
            if (i < message.length && message[i] == '\n') {
                i++;
            }
            if (n == 0) {
                pendingEmptyLines++;
                continue;
            }
            for (; pendingEmptyLines > 0; pendingEmptyLines--) {
                digest.update(CRLF);
            }
            digest.update(line, 0, n);
            digest.update(CRLF);
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
}
