package dev.mailpipe.core.mail;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header fields of one entity (a message or a body part) as byte ranges of the original
 * content, so that every field mailpipe leaves alone is copied byte for byte. The one header
 * scanner and unfolding of mailpipe: ingest's X-SMTPAPI check and the expander's templates both
 * read headers through it (RFC 5322 §2.2.3). A line starting with white space continues the field
 * before it; a bare LF ends a line as CRLF does.
 *
 * @param fields         fields in order; a malformed line without a colon is a field with an empty name
 * @param separatorStart start of the empty line ending the header (equals {@code bodyStart} when absent)
 * @param bodyStart      first byte of the body
 */
public record HeaderBlock(List<Field> fields, int separatorStart, int bodyStart) {

    /** One header field, {@code [start, end)} including its folded lines and final line break. */
    public record Field(String name, byte[] source, int start, int end) {

        public boolean is(final String fieldName) {
            return name.equalsIgnoreCase(fieldName);
        }

        /** The whole field as text, unfolded, without the final line break: {@code Subject: Hi there}. */
        public String unfolded() {
            return unfold(decode(source, start, end));
        }

        /** The value after the colon, unfolded and stripped. Encoded words are not decoded here. */
        public String value() {
            final String line = unfolded();
            final int colon = line.indexOf(':');
            return colon < 0 ? "" : line.substring(colon + 1).strip();
        }

        public int length() {
            return end - start;
        }
    }

    /** Scans the header of the entity in {@code source[from, to)}. */
    public static HeaderBlock scan(final byte[] source, final int from, final int to) {
        final List<Field> fields = new ArrayList<>();
        int pos = from;
        int fieldStart = -1;
        String fieldName = null;
        while (pos < to) {
            final int lineEnd = lineEnd(source, pos, to);
            if (isEmptyLine(source, pos, lineEnd)) {
                if (fieldStart >= 0) {
                    fields.add(new Field(fieldName, source, fieldStart, pos));
                }
                return new HeaderBlock(List.copyOf(fields), pos, lineEnd);
            }
            final byte first = source[pos];
            if ((first == ' ' || first == '\t') && fieldStart >= 0) {
                pos = lineEnd;
                continue;
            }
            if (fieldStart >= 0) {
                fields.add(new Field(fieldName, source, fieldStart, pos));
            }
            fieldStart = pos;
            fieldName = nameOf(source, pos, lineEnd);
            pos = lineEnd;
        }
        if (fieldStart >= 0) {
            fields.add(new Field(fieldName, source, fieldStart, to));
        }
        return new HeaderBlock(List.copyOf(fields), to, to);
    }

    /** The first field with this name, or null. */
    public Field first(final String name) {
        for (final Field field : fields) {
            if (field.is(name)) {
                return field;
            }
        }
        return null;
    }

    /** Index just after the LF ending the line that starts at {@code pos}, or {@code to}. */
    public static int lineEnd(final byte[] source, final int pos, final int to) {
        for (int i = pos; i < to; i++) {
            if (source[i] == '\n') {
                return i + 1;
            }
        }
        return to;
    }

    private static boolean isEmptyLine(final byte[] source, final int pos, final int lineEnd) {
        final int length = lineEnd - pos;
        return length == 1 && source[pos] == '\n' || length == 2 && source[pos] == '\r' && source[pos + 1] == '\n';
    }

    private static String nameOf(final byte[] source, final int pos, final int lineEnd) {
        for (int i = pos; i < lineEnd; i++) {
            if (source[i] == ':') {
                return new String(source, pos, i - pos, StandardCharsets.US_ASCII).strip();
            }
        }
        return "";
    }

    /** Header bytes as text: UTF-8 when valid (RFC 6532), otherwise ISO-8859-1. */
    public static String decode(final byte[] source, final int from, final int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(source, from, to - from)).toString();
        } catch (final CharacterCodingException e) {
            return new String(source, from, to - from, StandardCharsets.ISO_8859_1);
        }
    }

    /** RFC 5322 unfolding: line breaks go, the whitespace after them stays; the final break goes too. */
    public static String unfold(final String field) {
        final StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            final char c = field.charAt(i);
            if (c != '\r' && c != '\n') {
                out.append(c);
            }
        }
        return out.toString();
    }
}
