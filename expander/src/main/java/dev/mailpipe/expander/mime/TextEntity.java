package dev.mailpipe.expander.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.field.ContentTypeField;

/**
 * A text/plain or text/html entity holding variables: its header fields and its decoded text.
 * Each rendering substitutes, encodes the text in the part's charset (UTF-8 when that charset
 * cannot hold the values) and transfer encoding (see {@link TransferEncoding#encode(TransferEncoding, byte[], List)}), and
 * rewrites Content-Type / Content-Transfer-Encoding only when they had to change.
 */
record TextEntity(List<Segment> headers, int contentTypeIndex, int transferEncodingIndex, boolean addMimeVersion,
        Segment separator, TextTemplate body, Charset charset, TransferEncoding encoding,
        String mimeType, Map<String, String> typeParameters, List<String> boundaries, LinePlan plan)
        implements Segment {

    @Override
    public void render(final Personal personal, final ByteArrayOutputStream out) {
        final byte[] planned = plan == null ? null : plan.render(personal.values());
        if (planned != null) { // charset and transfer encoding unchanged: header fields as they were
            for (final Segment header : headers) {
                header.render(personal, out);
            }
            separator.render(personal, out);
            out.writeBytes(planned);
            return;
        }
        // the template's literal text is canonical already (see MessageTemplate); values may hold any line breaks
        final String text = body.render(personal.values(), TextEntity::canonicalLineBreaks);
        final Charset target = charset.equals(StandardCharsets.UTF_8) || charset.newEncoder().canEncode(text)
                ? charset : StandardCharsets.UTF_8;
        final boolean charsetChanged = !target.equals(charset);
        final byte[] bytes = text.getBytes(target);
        final TransferEncoding.Encoded encoded = TransferEncoding.encode(encoding, bytes, boundaries);
        final TransferEncoding chosen = encoded.encoding();
        final boolean encodingChanged = chosen != encoding;
        for (int i = 0; i < headers.size(); i++) {
            if (i == contentTypeIndex && charsetChanged) {
                out.writeBytes(contentType(target));
            } else if (i == transferEncodingIndex && encodingChanged) {
                out.writeBytes(transferEncoding(chosen));
            } else {
                headers.get(i).render(personal, out);
            }
        }
        if (contentTypeIndex < 0 && charsetChanged) {
            out.writeBytes(contentType(target));
        }
        if (transferEncodingIndex < 0 && encodingChanged) {
            out.writeBytes(transferEncoding(chosen));
        }
        if (addMimeVersion && (charsetChanged || encodingChanged)) {
            out.writeBytes("MIME-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        separator.render(personal, out);
        out.writeBytes(encoded.bytes());
    }

    private byte[] contentType(final Charset target) {
        final StringBuilder field = new StringBuilder("Content-Type: ").append(mimeType);
        typeParameters.forEach((name, value) -> {
            if (!name.equalsIgnoreCase(ContentTypeField.PARAM_CHARSET)) {
                field.append(";\r\n ").append(EncoderUtil.encodeHeaderParameter(name, value));
            }
        });
        field.append("; charset=").append(target.name()).append("\r\n");
        return field.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] transferEncoding(final TransferEncoding chosen) {
        return ("Content-Transfer-Encoding: " + chosen.token() + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Text parts travel in canonical form: every line break CRLF, whatever the values contained. */
    static String canonicalLineBreaks(final String text) {
        if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        final StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '\r') {
                out.append("\r\n");
                if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\n') {
                out.append("\r\n");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
