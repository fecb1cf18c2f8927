package dev.mailpipe.embedded;

import dev.mailpipe.platform.MailpipeApp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Starts the services of {@code ./mailpipe up} side by side, and stops the ones that did start
 * when another one fails.
 *
 * <p>Lifecycle: {@link #start} any number of times, then {@link #done()} after every start
 * succeeded, or {@link #stopStarted()} after a failure; either ends the start threads.
 */
final class StartedApps {

    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        final Thread thread = new Thread(r, "mailpipe-start-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final List<CompletableFuture<? extends MailpipeApp>> starts = new ArrayList<>();

    /** Starts one service from its (already built) config on a start thread. */
    <C, A extends MailpipeApp> CompletableFuture<A> start(final C config, final Function<C, A> starter) {
        final CompletableFuture<A> start = CompletableFuture.supplyAsync(() -> starter.apply(config), pool);
        starts.add(start);
        return start;
    }

    /** The started service, or the start's own exception (a ConfigException stays one). */
    static <A> A await(final CompletableFuture<A> start) {
        try {
            return start.join();
        } catch (final CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Every start succeeded: the start threads end. */
    void done() {
        pool.shutdown();
    }

    /** After a failed start: waits for every other start to end and stops, newest first, the services that did start. */
    void stopStarted() {
        for (int i = starts.size() - 1; i >= 0; i--) {
            final MailpipeApp app;
            try {
                app = starts.get(i).join();
            } catch (final CompletionException failed) {
                continue;
            }
            try {
                app.close();
            } catch (final RuntimeException ignored) {
                // stopping what we can; the start's own failure is what gets reported
            }
        }
        pool.shutdown();
    }
}
