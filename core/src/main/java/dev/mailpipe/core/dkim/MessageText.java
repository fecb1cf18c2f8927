package dev.mailpipe.core.dkim;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A message in the form it goes on the wire: every line ended by CRLF (a bare CR or LF becomes
 * CRLF, as the deliverer's DATA encoder does), split into raw header fields and the body.
 */
public final class MessageText {

    private MessageText() {
    }

    /**
     * {@code content} with CRLF line endings and a final CRLF — byte for byte what the DATA encoder
     * transmits before dot-stuffing, so a signature over it holds on the wire. Idempotent.
     */
    public static byte[] wireForm(final byte[] content) {
        if (isWireForm(content)) {
            return content;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + content.length / 32 + 2);
        boolean lineStart = true;
        for (int i = 0; i < content.length; i++) {
            final byte b = content[i];
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < content.length && content[i + 1] == '\n') {
                    i++;
                }
                out.write('\r');
                out.write('\n');
                lineStart = true;
                continue;
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static boolean isWireForm(final byte[] content) {
        for (int i = 0; i < content.length; i++) {
            final byte b = content[i];
            if (b == '\n' && (i == 0 || content[i - 1] != '\r')) {
                return false;
            }
            if (b == '\r' && (i + 1 >= content.length || content[i + 1] != '\n')) {
                return false;
            }
        }
        return content.length == 0 || content[content.length - 1] == '\n';
    }

    /** Where the header ends (after the last field's CRLF) and the body starts (after the empty line). */
    record Split(int headerEnd, int bodyStart) {
    }

    static Split split(final byte[] message) {
        if (message.length >= 2 && message[0] == '\r' && message[1] == '\n') {
            return new Split(0, 2);
        }
        for (int i = 0; i + 3 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                return new Split(i + 2, i + 4);
            }
        }
        return new Split(message.length, message.length);
    }

    /** The raw header fields (each with its folding and final CRLF), in order, as ISO-8859-1 strings (bytes kept). */
    static List<String> headerFields(final byte[] message, final int headerEnd) {
        final List<String> fields = new ArrayList<>();
        int fieldStart = -1;
        int i = 0;
        while (i < headerEnd) {
            final boolean continuation = message[i] == ' ' || message[i] == '\t';
            if (!continuation) {
                if (fieldStart >= 0) {
                    fields.add(latin1(message, fieldStart, i));
                }
                fieldStart = i;
            }
            while (i < headerEnd && message[i] != '\n') {
                i++;
            }
            i++;
        }
        if (fieldStart >= 0) {
            fields.add(latin1(message, fieldStart, Math.min(i, headerEnd)));
        }
        return fields;
    }

    static String latin1(final byte[] bytes, final int from, final int to) {
        return new String(bytes, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The field name of a raw header field, as written. */
    static String name(final String field) {
        final int colon = field.indexOf(':');
        return (colon < 0 ? field : field.substring(0, colon)).strip();
    }
}
