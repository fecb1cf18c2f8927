package dev.mailpipe.expander.mime;

import dev.mailpipe.core.mail.HeaderBlock;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.DefaultFieldParser;

/** mime4j's reading of one header field, for the parsers that scan headers themselves. */
final class MimeFields {

    private MimeFields() {
    }

    /** The field parsed as {@code type}, or null when absent, of another kind or invalid. */
    static <T extends ParsedField> T parsed(final HeaderBlock.Field field, final Class<T> type) {
        if (field == null) {
            return null;
        }
        try {
            final ParsedField parsed = DefaultFieldParser.parse(field.unfolded(), DecodeMonitor.SILENT);
            return type.isInstance(parsed) && parsed.isValidField() ? type.cast(parsed) : null;
        } catch (final MimeException | RuntimeException e) {
            return null;
        }
    }
}
