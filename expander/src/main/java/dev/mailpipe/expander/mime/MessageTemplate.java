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
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.util.CharsetUtil;

/**
 * One submission's message, parsed once and rendered once per recipient. Pure: no I/O.
 *
 * <p>The message is cut into byte ranges of the original content. Only what holds a variable
 * becomes a template: unstructured top-level header fields ({@code Subject}, {@code Comments},
 * {@code X-*}) and text/plain and text/html parts at any depth of nested multiparts, decoded
 * (quoted-printable, base64, the declared charset) before substitution and re-encoded after.
 * Everything else — attachments, inline images, other parts, preambles, boundaries, untouched
 * fields — is copied byte for byte. Top-level rules for every email: {@code X-SMTPAPI}, {@code Bcc}
 * and {@code SC-Custom-*} fields are removed, {@code Message-ID} is the email's own, and with
 * {@code rewriteTo} the {@code To} field names only the email's recipient.
 */
public final class MessageTemplate {

    private static final Set<String> DROPPED = Set.of("x-smtpapi", "bcc");
    private static final String CUSTOM_PREFIX = "sc-custom-";
    private static final Set<String> UNSTRUCTURED = Set.of("subject", "comments");

    private final List<Segment> segments;
    private final int sizeHint;

    private MessageTemplate(final List<Segment> segments, final int sizeHint) {
        this.segments = segments;
        this.sizeHint = sizeHint;
    }

    /**
     * @param content   the RFC 5322 message, CRLF line ends
     * @param variables the submission's variables (may be none)
     * @param rewriteTo whether each email's {@code To} field becomes its recipient alone
     */
    public static MessageTemplate parse(final byte[] content, final Variables variables, final boolean rewriteTo) {
        return parse(content, variables, rewriteTo, null);
    }

    /**
     * @param dateIfMissing value of a {@code Date} field to add when the message has none (RFC 5322
     *                      requires one; RFC 6409 lets the submission service add it), or null
     */
    public static MessageTemplate parse(final byte[] content, final Variables variables, final boolean rewriteTo,
            final String dateIfMissing) {
        return parse(content, variables, rewriteTo, dateIfMissing, true);
    }

    /** @param linePlans false forces the general text path everywhere (tests compare both paths) */
    static MessageTemplate parse(final byte[] content, final Variables variables, final boolean rewriteTo,
            final String dateIfMissing, final boolean linePlans) {
        final Parser parser = new Parser(content, variables, rewriteTo, dateIfMissing, linePlans);
        return new MessageTemplate(coalesce(parser.entity(0, content.length, true, List.of(), "text/plain")),
                content.length + 256);
    }

    /** Whether the field is an {@code SC-Custom-*} field (carried on the record, not in the message). */
    public static boolean isCustomField(final String name) {
        return name.toLowerCase(Locale.ROOT).startsWith(CUSTOM_PREFIX);
    }

    /** The email for one recipient. */
    public byte[] render(final Personal personal) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        for (final Segment segment : segments) {
            segment.render(personal, out);
        }
        return out.toByteArray();
    }

    /** Adjacent ranges of the original become one copy. */
    private static List<Segment> coalesce(final List<Segment> segments) {
        final List<Segment> merged = new ArrayList<>(segments.size());
        for (final Segment segment : segments) {
            if (!merged.isEmpty() && segment instanceof Segment.Raw next
                    && merged.getLast() instanceof Segment.Raw previous
                    && previous.source() == next.source() && previous.to() == next.from()) {
                merged.set(merged.size() - 1, new Segment.Raw(previous.source(), previous.from(), next.to()));
            } else if (!(segment instanceof Segment.Raw raw) || raw.to() > raw.from()) {
                merged.add(segment);
            }
        }
        return List.copyOf(merged);
    }

    private static final class Parser {
        private final byte[] source;
        private final Variables variables;
        private final boolean rewriteTo;
        private final String dateIfMissing;
        private final boolean linePlans;

        Parser(final byte[] source, final Variables variables, final boolean rewriteTo, final String dateIfMissing,
                final boolean linePlans) {
            this.source = source;
            this.variables = variables;
            this.rewriteTo = rewriteTo;
            this.dateIfMissing = dateIfMissing;
            this.linePlans = linePlans;
        }

        List<Segment> entity(final int from, final int to, final boolean top, final List<String> boundaries,
                final String defaultType) {
            final HeaderBlock header = HeaderBlock.scan(source, from, to);
            final ContentTypeField type = MimeFields.parsed(header.first("Content-Type"), ContentTypeField.class);
            final String mimeType = type != null && type.getMimeType() != null
                    ? type.getMimeType().toLowerCase(Locale.ROOT) : defaultType;
            final List<Segment> headers = new ArrayList<>();
            int contentTypeIndex = -1;
            int transferEncodingIndex = -1;
            for (final HeaderBlock.Field field : header.fields()) {
                if (field.is("Content-Type") && contentTypeIndex < 0) {
                    contentTypeIndex = headers.size();
                } else if (field.is("Content-Transfer-Encoding") && transferEncodingIndex < 0) {
                    transferEncodingIndex = headers.size();
                }
                if (top) {
                    topField(field, headers);
                } else {
                    headers.add(raw(field.start(), field.end()));
                }
            }
            if (top) {
                if (header.first("Message-ID") == null) {
                    headers.add(new Segment.MessageIdHeader());
                }
                if (rewriteTo && header.first("To") == null) {
                    headers.add(new Segment.ToHeader());
                }
                if (dateIfMissing != null && header.first("Date") == null) {
                    headers.add(Segment.Fixed.of("Date: " + HeaderEncoder.sanitize(dateIfMissing) + "\r\n"));
                }
            }
            final Segment separator = raw(header.separatorStart(), header.bodyStart());
            final List<Segment> out = new ArrayList<>();
            final String boundary = type == null ? null : type.getBoundary();
            if (mimeType.startsWith("multipart/") && boundary != null && !boundary.isEmpty()) {
                out.addAll(headers);
                out.add(separator);
                final List<String> nested = new ArrayList<>(boundaries);
                nested.add(boundary);
                multipart(header.bodyStart(), to, boundary, List.copyOf(nested),
                        mimeType.equals("multipart/digest") ? "message/rfc822" : "text/plain", out);
                return out;
            }
            final TextEntity text = variables.isEmpty() ? null
                    : textEntity(header, type, mimeType, to, headers, contentTypeIndex, transferEncodingIndex, top,
                            separator, boundaries);
            if (text != null) {
                out.add(text);
            } else if (LongLines.needsReencoding(source, header, header.bodyStart(), to)) {
                LongLines.reencode(source, header, mimeType, headers, transferEncodingIndex, top, separator, to, out);
            } else {
                out.addAll(headers);
                out.add(separator);
                out.add(raw(header.bodyStart(), to));
            }
            return out;
        }

        private void topField(final HeaderBlock.Field field, final List<Segment> headers) {
            final String name = field.name().toLowerCase(Locale.ROOT);
            if (DROPPED.contains(name) || name.startsWith(CUSTOM_PREFIX)) {
                return;
            }
            if (name.equals("message-id")) {
                if (headers.stream().noneMatch(s -> s instanceof Segment.MessageIdHeader)) {
                    headers.add(new Segment.MessageIdHeader());
                }
                return;
            }
            if (rewriteTo && name.equals("to")) {
                if (headers.stream().noneMatch(s -> s instanceof Segment.ToHeader)) {
                    headers.add(new Segment.ToHeader());
                }
                return;
            }
            if (!variables.isEmpty() && (UNSTRUCTURED.contains(name) || name.startsWith("x-"))) {
                final TextTemplate value = TextTemplate.compile(UnstructuredText.decode(field.value()), variables);
                if (value.hasVariables()) {
                    headers.add(new Segment.SubstitutedHeader(field.name(), value));
                    return;
                }
            }
            headers.add(raw(field.start(), field.end()));
        }

        private TextEntity textEntity(final HeaderBlock header, final ContentTypeField type, final String mimeType,
                final int to, final List<Segment> headers, final int contentTypeIndex, final int transferEncodingIndex,
                final boolean top, final Segment separator, final List<String> boundaries) {
            if (!mimeType.equals("text/plain") && !mimeType.equals("text/html")) {
                return null;
            }
            final ContentDispositionField disposition =
                    MimeFields.parsed(header.first("Content-Disposition"), ContentDispositionField.class);
            if (disposition != null && disposition.isAttachment()
                    || type != null && type.getParameter("name") != null) {
                return null; // a text file attached: not ours to change
            }
            final HeaderBlock.Field cteField = header.first("Content-Transfer-Encoding");
            final TransferEncoding encoding = TransferEncoding.of(cteField == null ? null : cteField.value());
            if (encoding == null) {
                return null;
            }
            final String declared = type == null ? null : type.getCharset();
            final Charset charset = declared == null ? StandardCharsets.US_ASCII : CharsetUtil.lookup(declared);
            if (charset == null) {
                return null; // a charset this JVM cannot decode: leave the part as it is
            }
            final byte[] decoded = encoding.decode(source, header.bodyStart(), to);
            final Charset effective = isAscii(charset) && !isAscii(decoded) ? StandardCharsets.UTF_8 : charset;
            final String text = TextEntity.canonicalLineBreaks(decode(decoded, effective));
            final TextTemplate body = TextTemplate.compile(text, variables);
            if (!body.hasVariables()) {
                return null;
            }
            return new TextEntity(List.copyOf(headers), contentTypeIndex, transferEncodingIndex,
                    top && header.first("MIME-Version") == null, separator, body, charset, encoding, mimeType,
                    type == null ? Map.of() : type.getParameters(), boundaries,
                    linePlans ? LinePlan.of(text, variables, charset, encoding, boundaries) : null);
        }

        /**
         * Body of a multipart in {@code [from, to)}: preamble, delimiter lines and epilogue are copied;
         * each part is parsed as an entity. A missing close delimiter ends the last part at {@code to}.
         */
        private void multipart(final int from, final int to, final String boundary, final List<String> boundaries,
                final String defaultType, final List<Segment> out) {
            MultipartBody.walk(source, from, to, boundary, new MultipartBody.Visitor() {
                @Override
                public void raw(final int rawFrom, final int rawTo) {
                    out.add(Parser.this.raw(rawFrom, rawTo));
                }

                @Override
                public void part(final int partFrom, final int partTo) {
                    out.addAll(entity(partFrom, partTo, false, boundaries, defaultType));
                }
            });
        }

        private Segment raw(final int from, final int to) {
            return new Segment.Raw(source, from, to);
        }

        private static boolean isAscii(final Charset charset) {
            return charset.equals(StandardCharsets.US_ASCII);
        }

        private static boolean isAscii(final byte[] bytes) {
            for (final byte b : bytes) {
                if (b < 0) {
                    return false;
                }
            }
            return true;
        }

        /** Strict UTF-8 when labelled ASCII but 8-bit, else the charset (malformed input replaced). */
        private static String decode(final byte[] bytes, final Charset charset) {
            if (charset.equals(StandardCharsets.UTF_8)) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                } catch (final CharacterCodingException e) {
                    return new String(bytes, StandardCharsets.ISO_8859_1);
                }
            }
            return new String(bytes, charset);
        }
    }
}
