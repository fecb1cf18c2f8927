package dev.mailpipe.core.dkim;

import java.util.Locale;

/** The signing algorithms mailpipe generates keys for. */
public enum DkimAlgorithm {
    /** RFC 6376 rsa-sha256 with 2048-bit keys: what every verifier understands. */
    RSA_SHA256("rsa-sha256", "rsa", "RSA"),
    /** RFC 8463 ed25519-sha256: short keys and signatures; not yet verified by every receiver. */
    ED25519_SHA256("ed25519-sha256", "ed25519", "Ed25519");

    private final String tag;
    private final String keyType;
    private final String jcaName;

    DkimAlgorithm(final String tag, final String keyType, final String jcaName) {
        this.tag = tag;
        this.keyType = keyType;
        this.jcaName = jcaName;
    }

    /** The {@code a=} value of a signature, also the CLI's name: {@code rsa-sha256}. */
    public String tag() {
        return tag;
    }

    /** The {@code k=} value of the DNS record: {@code rsa}, {@code ed25519}. */
    public String keyType() {
        return keyType;
    }

    /** The JCA key algorithm name. */
    String jcaName() {
        return jcaName;
    }

    /** By {@link #tag()}, case-insensitive. */
    public static DkimAlgorithm ofTag(final String tag) {
        for (final DkimAlgorithm a : values()) {
            if (a.tag.equals(tag.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown DKIM algorithm " + tag + " (rsa-sha256 or ed25519-sha256)");
    }
}
