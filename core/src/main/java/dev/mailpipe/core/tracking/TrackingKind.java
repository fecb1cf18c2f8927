package dev.mailpipe.core.tracking;

/** What a tracking link records when it is followed; the code is the first path segment served. */
public enum TrackingKind {
    OPEN('o'),
    CLICK('c'),
    UNSUBSCRIBE('u');

    private final char code;

    TrackingKind(final char code) {
        this.code = code;
    }

    /** {@code o}, {@code c} or {@code u}: the path segment ({@code /o/{token}}) and the byte in the token. */
    public char code() {
        return code;
    }

    static TrackingKind ofCode(final int code) {
        for (final TrackingKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown tracking kind " + code);
    }
}
