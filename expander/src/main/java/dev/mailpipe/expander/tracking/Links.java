package dev.mailpipe.expander.tracking;

/** The tracking links of one email, signed on demand. */
public interface Links {

    /** The URL under which every link of this email starts ({@code PUBLIC_URL/}); such links are never rewritten again. */
    String base();

    /** {@code PUBLIC_URL/c/{token}} carrying {@code url}; null leaves the link as it is (e.g. too long to sign). */
    String click(String url);

    /** {@code PUBLIC_URL/o/{token}}. */
    String open();

    /** {@code PUBLIC_URL/u/{token}}. */
    String unsubscribe();
}
