package dev.mailpipe.schemas;

/** Bytes that are not a record of a known schema (corrupt, foreign, or an unknown version). */
public final class CodecException extends RuntimeException {

    public CodecException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
