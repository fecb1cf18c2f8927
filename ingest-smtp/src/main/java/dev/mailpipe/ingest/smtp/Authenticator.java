package dev.mailpipe.ingest.smtp;

/** Checks an account's key. Implementations must compare in constant time. */
@FunctionalInterface
public interface Authenticator {

    /** True when {@code apiUser} exists, is enabled, and {@code apiKey} is its key. */
    boolean verify(String apiUser, String apiKey);
}
