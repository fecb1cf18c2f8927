package dev.mailpipe.expander.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A piece of a {@link MessageTemplate}: written once per email. */
interface Segment {

    void render(Personal personal, ByteArrayOutputStream out);

    /** Bytes of the original content, copied unchanged: everything mailpipe does not personalise. */
    record Raw(byte[] source, int from, int to) implements Segment {
        @Override
        public void render(final Personal personal, final ByteArrayOutputStream out) {
            out.write(source, from, to - from);
        }
    }

    /** Fixed text added by mailpipe (e.g. a rewritten Content-Type). */
    record Fixed(byte[] bytes) implements Segment {
        static Fixed of(final String text) {
            return new Fixed(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void render(final Personal personal, final ByteArrayOutputStream out) {
            out.writeBytes(bytes);
        }
    }

    /** An unstructured header field (Subject, X-...) whose value holds variables. */
    record SubstitutedHeader(String name, TextTemplate value) implements Segment {
        @Override
        public void render(final Personal personal, final ByteArrayOutputStream out) {
            out.writeBytes(HeaderEncoder.field(name, value.render(personal.values())).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The email's own Message-ID. */
    record MessageIdHeader() implements Segment {
        @Override
        public void render(final Personal personal, final ByteArrayOutputStream out) {
            out.writeBytes(("Message-ID: " + personal.messageId() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code To:} naming only this email's recipient (used when X-SMTPAPI "to" replaced the recipients). */
    record ToHeader() implements Segment {
        @Override
        public void render(final Personal personal, final ByteArrayOutputStream out) {
            out.writeBytes(("To: " + HeaderEncoder.sanitize(personal.recipient()) + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}
