package dev.mailpipe.expander.mime;

import dev.mailpipe.core.mail.HeaderBlock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.util.CharsetUtil;

/**
 * A rendered email opened for tracking: its text/html and text/plain parts (not attachments, at
 * any depth of nested multiparts) decoded, everything else kept as byte ranges. {@link #render}
 * writes it back with the parts passed through rewriting functions: a part whose text did not
 * change is copied byte for byte; a changed one is re-encoded in its charset (UTF-8 when that
 * cannot hold the new text) and transfer encoding (quoted-printable or base64 when the original
 * cannot carry it, base64 when a line would look like a boundary), with Content-Type and
 * Content-Transfer-Encoding rewritten only when they had to change. Pure.
 */
public final class TrackedMessage {

    /** A piece of the email: a byte range copied as is, or a text entity (header and body). */
    private sealed interface Piece permits Raw, Text, TopHeader {
    }

    private record Raw(int from, int to) implements Piece {
    }

    /** The header block of the top-level entity when it is not itself a text part. */
    private record TopHeader(HeaderBlock header) implements Piece {
    }

    private record Text(HeaderBlock header, boolean top, int bodyEnd, boolean html, Charset charset,
            TransferEncoding encoding, String text, String mimeType, Map<String, String> typeParameters,
            List<String> boundaries) implements Piece {
    }

    private final byte[] source;
    private final List<Piece> pieces;

    private TrackedMessage(final byte[] source, final List<Piece> pieces) {
        this.source = source;
        this.pieces = pieces;
    }

    public static TrackedMessage parse(final byte[] email) {
        final List<Piece> pieces = new ArrayList<>();
        new Walker(email, pieces).entity(0, email.length, true, List.of(), "text/plain");
        return new TrackedMessage(email, List.copyOf(pieces));
    }

    /** Whether a decoded text part contains {@code needle}. */
    public boolean textContains(final String needle) {
        for (final Piece piece : pieces) {
            if (piece instanceof Text t && t.text().contains(needle)) {
                return true;
            }
        }
        return false;
    }

    /** The number of text/html parts. */
    public int htmlParts() {
        return (int) pieces.stream().filter(p -> p instanceof Text t && t.html()).count();
    }

    /**
     * The email with its HTML parts through {@code html}, its plain-text parts through {@code text},
     * the top-level fields named in {@code removeFields} (lower case) dropped and {@code addFields}
     * (complete lines with CRLF) added at the end of the top-level header.
     */
    public byte[] render(final UnaryOperator<String> html, final UnaryOperator<String> text,
            final Set<String> removeFields, final List<String> addFields) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(source.length + 1024);
        for (final Piece piece : pieces) {
            switch (piece) {
                case Raw r -> out.write(source, r.from(), r.to() - r.from());
                case TopHeader h -> {
                    writeFields(h.header(), true, removeFields, null, null, out);
                    writeAdded(addFields, out);
                    out.write(source, h.header().separatorStart(), h.header().bodyStart() - h.header().separatorStart());
                }
                case Text t -> renderText(t, t.html() ? html : text, removeFields, addFields, out);
            }
        }
        return out.toByteArray();
    }

    private void renderText(final Text t, final UnaryOperator<String> rewrite, final Set<String> removeFields,
            final List<String> addFields, final ByteArrayOutputStream out) {
        final String rewritten = rewrite.apply(t.text());
        final HeaderBlock header = t.header();
        if (rewritten.equals(t.text())) {
            writeFields(header, t.top(), removeFields, null, null, out);
            if (t.top()) {
                writeAdded(addFields, out);
            }
            out.write(source, header.separatorStart(), t.bodyEnd() - header.separatorStart());
            return;
        }
        final Charset target = t.charset().equals(StandardCharsets.UTF_8) || t.charset().newEncoder().canEncode(rewritten)
                ? t.charset() : StandardCharsets.UTF_8;
        final TransferEncoding.Encoded encoded = TransferEncoding.encode(t.encoding(), rewritten.getBytes(target),
                t.boundaries());
        final byte[] contentType = target.equals(t.charset()) ? null : contentType(t, target);
        final byte[] transferEncoding = encoded.encoding() == t.encoding() ? null
                : ("Content-Transfer-Encoding: " + encoded.encoding().token() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        writeFields(header, t.top(), removeFields, contentType, transferEncoding, out);
        if (t.top()) {
            if ((contentType != null || transferEncoding != null) && header.first("MIME-Version") == null) {
                out.writeBytes("MIME-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            writeAdded(addFields, out);
        }
        out.write(source, header.separatorStart(), header.bodyStart() - header.separatorStart());
        out.writeBytes(encoded.bytes());
    }

    /** The fields, with Content-Type / Content-Transfer-Encoding replaced (or added) when given. */
    private static void writeFields(final HeaderBlock header, final boolean top, final Set<String> removeFields,
            final byte[] contentType, final byte[] transferEncoding, final ByteArrayOutputStream out) {
        boolean typeWritten = false;
        boolean encodingWritten = false;
        for (final HeaderBlock.Field field : header.fields()) {
            if (top && removeFields.contains(field.name().toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (contentType != null && field.is("Content-Type")) {
                if (!typeWritten) {
                    out.writeBytes(contentType);
                    typeWritten = true;
                }
                continue;
            }
            if (transferEncoding != null && field.is("Content-Transfer-Encoding")) {
                if (!encodingWritten) {
                    out.writeBytes(transferEncoding);
                    encodingWritten = true;
                }
                continue;
            }
            out.write(field.source(), field.start(), field.end() - field.start());
        }
        if (contentType != null && !typeWritten) {
            out.writeBytes(contentType);
        }
        if (transferEncoding != null && !encodingWritten) {
            out.writeBytes(transferEncoding);
        }
    }

    private static void writeAdded(final List<String> addFields, final ByteArrayOutputStream out) {
        for (final String field : addFields) {
            out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static byte[] contentType(final Text t, final Charset target) {
        final StringBuilder field = new StringBuilder("Content-Type: ").append(t.mimeType());
        t.typeParameters().forEach((name, value) -> {
            if (!name.equalsIgnoreCase(ContentTypeField.PARAM_CHARSET)) {
                field.append(";\r\n ").append(EncoderUtil.encodeHeaderParameter(name, value));
            }
        });
        field.append("; charset=").append(target.name()).append("\r\n");
        return field.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Cuts the email into pieces; the multipart rules are those of {@link MessageTemplate}. */
    private static final class Walker {
        private final byte[] source;
        private final List<Piece> out;

        Walker(final byte[] source, final List<Piece> out) {
            this.source = source;
            this.out = out;
        }

        void entity(final int from, final int to, final boolean top, final List<String> boundaries,
                final String defaultType) {
            final HeaderBlock header = HeaderBlock.scan(source, from, to);
            final ContentTypeField type = MimeFields.parsed(header.first("Content-Type"), ContentTypeField.class);
            final String mimeType = type != null && type.getMimeType() != null
                    ? type.getMimeType().toLowerCase(Locale.ROOT) : defaultType;
            final String boundary = type == null ? null : type.getBoundary();
            if (mimeType.startsWith("multipart/") && boundary != null && !boundary.isEmpty()) {
                head(header, top, from);
                final List<String> nested = new ArrayList<>(boundaries);
                nested.add(boundary);
                multipart(header.bodyStart(), to, boundary, List.copyOf(nested),
                        mimeType.equals("multipart/digest") ? "message/rfc822" : "text/plain");
                return;
            }
            final Text text = text(header, type, mimeType, to, top, boundaries);
            if (text != null) {
                out.add(text);
                return;
            }
            head(header, top, from);
            out.add(new Raw(header.bodyStart(), to));
        }

        private void head(final HeaderBlock header, final boolean top, final int from) {
            out.add(top ? new TopHeader(header) : new Raw(from, header.bodyStart()));
        }

        private Text text(final HeaderBlock header, final ContentTypeField type, final String mimeType, final int to,
                final boolean top, final List<String> boundaries) {
            if (!mimeType.equals("text/plain") && !mimeType.equals("text/html")) {
                return null;
            }
            final ContentDispositionField disposition =
                    MimeFields.parsed(header.first("Content-Disposition"), ContentDispositionField.class);
            if (disposition != null && disposition.isAttachment()
                    || type != null && type.getParameter("name") != null) {
                return null;
            }
            final HeaderBlock.Field cteField = header.first("Content-Transfer-Encoding");
            final TransferEncoding encoding = TransferEncoding.of(cteField == null ? null : cteField.value());
            if (encoding == null) {
                return null;
            }
            final String declared = type == null ? null : type.getCharset();
            final Charset charset = declared == null ? StandardCharsets.US_ASCII : CharsetUtil.lookup(declared);
            if (charset == null) {
                return null;
            }
            final byte[] decoded = encoding.decode(source, header.bodyStart(), to);
            final boolean ascii = charset.equals(StandardCharsets.US_ASCII);
            final Charset effective = ascii && !TransferEncoding.isAscii(decoded) ? StandardCharsets.UTF_8 : charset;
            final String text = decode(decoded, effective);
            if (text == null) {
                return null; // not valid in its charset: rewriting it could only make it worse
            }
            return new Text(header, top, to, mimeType.equals("text/html"), effective, encoding, text, mimeType,
                    type == null ? Map.of() : type.getParameters(), boundaries);
        }

        private void multipart(final int from, final int to, final String boundary, final List<String> boundaries,
                final String defaultType) {
            MultipartBody.walk(source, from, to, boundary, new MultipartBody.Visitor() {
                @Override
                public void raw(final int rawFrom, final int rawTo) {
                    out.add(new Raw(rawFrom, rawTo));
                }

                @Override
                public void part(final int partFrom, final int partTo) {
                    entity(partFrom, partTo, false, boundaries, defaultType);
                }
            });
        }

        private static String decode(final byte[] bytes, final Charset charset) {
            if (charset.equals(StandardCharsets.UTF_8)) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                } catch (final CharacterCodingException e) {
                    return null;
                }
            }
            return new String(bytes, charset);
        }
    }
}
