package dev.mailpipe.platform;

/**
 * One running mailpipe service (ingest-smtp, expander, mx-deliverer).
 *
 * <p>Lifecycle: a service is created running (its static {@code start} method returns once it
 * serves); {@link #isReady()} reports whether it can do its work right now; {@link #close()}
 * stops it gracefully — it stops taking new work, finishes or hands back what is in flight,
 * commits, and returns. Closing twice is harmless.
 */
public interface MailpipeApp extends AutoCloseable {

    /** Short name for logs and metrics tags, e.g. {@code ingest-smtp}. */
    String name();

    boolean isReady();

    @Override
    void close();
}
