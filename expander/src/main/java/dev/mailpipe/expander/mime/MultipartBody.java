package dev.mailpipe.expander.mime;

import dev.mailpipe.core.mail.HeaderBlock;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level walk of a multipart body (RFC 2046 §5.1.1) shared by {@link MessageTemplate} and
 * {@link TrackedMessage}: both split a body at its delimiter lines and keep every byte between the
 * parts as it was. Pure; no copies of the source.
 */
final class MultipartBody {

    /** What a walk finds, in source order; together the calls cover {@code [from, to)} exactly once. */
    interface Visitor {
        /** Bytes to copy as they are: preamble, delimiter lines, epilogue. */
        void raw(int from, int to);

        /** One body part (its headers and content), without the line break before the next delimiter. */
        void part(int from, int to);
    }

    private static final int NOT_DELIMITER = 0;
    private static final int OPEN = 1;
    private static final int CLOSE = 2;

    private MultipartBody() {
    }

    /** Walks {@code source[from, to)} as a multipart body with {@code boundary}. */
    static void walk(final byte[] source, final int from, final int to, final String boundary, final Visitor visitor) {
        final byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int copiedUpTo = from;
        int partStart = -1;
        int pos = from;
        while (pos < to) {
            final int lineEnd = HeaderBlock.lineEnd(source, pos, to);
            final int kind = delimiter(source, pos, lineEnd, dashBoundary);
            if (kind != NOT_DELIMITER) {
                final int breakStart = pos >= 2 && source[pos - 2] == '\r' && pos - 2 >= from ? pos - 2
                        : pos >= 1 && pos - 1 >= from ? pos - 1 : pos;
                if (partStart >= 0) {
                    visitor.part(partStart, Math.max(partStart, breakStart));
                    copiedUpTo = Math.max(partStart, breakStart);
                }
                visitor.raw(copiedUpTo, lineEnd);
                copiedUpTo = lineEnd;
                if (kind == CLOSE) {
                    visitor.raw(lineEnd, to);
                    return;
                }
                partStart = lineEnd;
            }
            pos = lineEnd;
        }
        if (partStart >= 0) {
            visitor.part(partStart, to);
        } else {
            visitor.raw(copiedUpTo, to);
        }
    }

    private static int delimiter(final byte[] source, final int pos, final int lineEnd, final byte[] dashBoundary) {
        if (lineEnd - pos < dashBoundary.length) {
            return NOT_DELIMITER;
        }
        for (int i = 0; i < dashBoundary.length; i++) {
            if (source[pos + i] != dashBoundary[i]) {
                return NOT_DELIMITER;
            }
        }
        int i = pos + dashBoundary.length;
        int kind = OPEN;
        if (i + 1 < lineEnd && source[i] == '-' && source[i + 1] == '-') {
            kind = CLOSE;
            i += 2;
        }
        for (; i < lineEnd; i++) {
            final byte b = source[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return NOT_DELIMITER; // a longer boundary that merely starts the same way
            }
        }
        return kind;
    }
}
