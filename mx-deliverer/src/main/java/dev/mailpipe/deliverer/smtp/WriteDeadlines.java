package dev.mailpipe.deliverer.smtp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlines of socket writes in progress (socket timeouts only cover reads). A write registers
 * its deadline and deregisters when it returns; one daemon thread looks at the registered writes
 * every {@link #SWEEP_MS} ms and runs the expiry of those past their deadline (which closes the
 * socket, so the blocked write fails). Registering is a map insertion, no timer: a scheduled
 * executor's schedule-and-cancel per write took the lock and woke its thread for every write,
 * several times per email.
 */
final class WriteDeadlines {

    static final long SWEEP_MS = 250;

    /** A write in progress: its deadline ({@link System#nanoTime()}) and what to do when it passes; identity equality. */
    static final class Write {
        private final long deadline;
        private final Runnable expiry;

        private Write(final long deadline, final Runnable expiry) {
            this.deadline = deadline;
            this.expiry = expiry;
        }
    }

    private static final Set<Write> ACTIVE = ConcurrentHashMap.newKeySet();

    static {
        Thread.ofPlatform().daemon().name("smtp-write-deadlines").start(WriteDeadlines::sweep);
    }

    private WriteDeadlines() {
    }

    /** Registers a write that must finish within {@code timeoutMs}; pass the result to {@link #done}. */
    static Write start(final long timeoutMs, final Runnable expiry) {
        final Write write = new Write(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), expiry);
        ACTIVE.add(write);
        return write;
    }

    static void done(final Write write) {
        ACTIVE.remove(write);
    }

    /** Writes registered and not yet done or expired (for tests). */
    static int pending() {
        return ACTIVE.size();
    }

    private static void sweep() {
        while (true) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SWEEP_MS));
            final long now = System.nanoTime();
            for (final Write write : ACTIVE) {
                if (now - write.deadline > 0 && ACTIVE.remove(write)) {
                    try {
                        write.expiry.run();
                    } catch (final RuntimeException ignored) {
                        // closing a socket does not throw; never let one expiry stop the sweeps
                    }
                }
            }
        }
    }
}
