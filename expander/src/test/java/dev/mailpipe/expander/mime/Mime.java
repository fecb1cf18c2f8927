package dev.mailpipe.expander.mime;

import dev.mailpipe.schemas.OutboundEmail;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;

/** Reads what the expander wrote with mime4j's DOM, the way a mail client would. */
public final class Mime {

    private Mime() {
    }

    public static byte[] bytes(final OutboundEmail email) {
        final ByteBuffer buffer = email.getContent().duplicate();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    public static Message parse(final OutboundEmail email) {
        return parse(bytes(email));
    }

    public static Message parse(final byte[] content) {
        final DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.STRICT);
        try {
            return builder.parseMessage(new ByteArrayInputStream(content));
        } catch (final IOException e) {
            throw new IllegalStateException("not valid MIME: " + e.getMessage(), e);
        }
    }

    /** The decoded text of a single-part message. */
    public static String text(final Entity entity) {
        final Body body = entity.getBody();
        if (!(body instanceof TextBody text)) {
            throw new IllegalStateException("not a text body: " + entity.getMimeType());
        }
        try (Reader reader = text.getReader()) {
            final StringBuilder out = new StringBuilder();
            final char[] buffer = new char[4096];
            int n;
            while ((n = reader.read(buffer)) >= 0) {
                out.append(buffer, 0, n);
            }
            return out.toString();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decoded bytes of a single body. */
    public static byte[] decoded(final Entity entity) {
        try (InputStream in = ((SingleBody) entity.getBody()).getInputStream()) {
            return in.readAllBytes();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every leaf entity, depth first. */
    public static List<Entity> leaves(final Entity entity) {
        final List<Entity> leaves = new ArrayList<>();
        collect(entity, leaves);
        return leaves;
    }

    private static void collect(final Entity entity, final List<Entity> leaves) {
        if (entity.getBody() instanceof Multipart multipart) {
            for (final Entity part : multipart.getBodyParts()) {
                collect(part, leaves);
            }
        } else {
            leaves.add(entity);
        }
    }
}
