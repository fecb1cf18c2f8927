package dev.mailpipe.expander.mime;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

/** Unstructured header values as text: RFC 2047 encoded words decoded by mime4j. */
public final class UnstructuredText {

    private UnstructuredText() {
    }

    public static String decode(final String value) {
        try {
            return DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT);
        } catch (final IllegalArgumentException e) {
            return value;
        }
    }
}
