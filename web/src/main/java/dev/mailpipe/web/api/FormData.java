package dev.mailpipe.web.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * A {@code multipart/form-data} body (RFC 7578) read with mime4j: text fields as UTF-8 strings
 * (the first of a repeated name wins, as for urlencoded forms), every part named
 * {@code attachments} that carries a filename as an {@link SendRequest.Attachment}. Pure.
 */
final class FormData {

    record Parsed(Map<String, String> fields, List<SendRequest.Attachment> attachments) {
    }

    private FormData() {
    }

    static Parsed parse(final String contentType, final byte[] body) throws ApiException {
        final byte[] head = ("Content-Type: " + contentType.replace("\r", "").replace("\n", "") + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        final DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        final Message message;
        try (InputStream in = new SequenceInputStream(new ByteArrayInputStream(head), new ByteArrayInputStream(body))) {
            message = builder.parseMessage(in);
        } catch (final IOException e) {
            throw new ApiException(400, "the multipart/form-data body cannot be read");
        }
        if (!(message.getBody() instanceof Multipart multipart)) {
            throw new ApiException(400, "the multipart/form-data body has no parts (boundary?)");
        }
        final Map<String, String> fields = new HashMap<>();
        final List<SendRequest.Attachment> attachments = new ArrayList<>();
        for (final Entity part : multipart.getBodyParts()) {
            final Field field = part.getHeader().getField("Content-Disposition");
            if (!(field instanceof ContentDispositionField disposition) || !(part.getBody() instanceof SingleBody single)) {
                continue;
            }
            final String name = disposition.getParameter("name");
            if (name == null) {
                continue;
            }
            final byte[] bytes;
            try (InputStream in = single.getInputStream()) {
                bytes = in.readAllBytes();
            } catch (final IOException e) {
                throw new ApiException(400, "the multipart/form-data body cannot be read");
            }
            final String filename = disposition.getFilename();
            if ("attachments".equals(name) && filename != null) {
                attachments.add(new SendRequest.Attachment(filename, part.getMimeType(), bytes));
            } else {
                fields.putIfAbsent(name, new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return new Parsed(fields, attachments);
    }
}
