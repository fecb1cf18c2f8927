package dev.mailpipe.ingest.queue;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether submissions may be tried right now. While Kafka is unreachable every submission would
 * wait the whole queue timeout (15-30 s) for a 451; the gate makes that answer immediate instead.
 *
 * <p>It closes when a submission fails or a probe fails, and opens when a probe succeeds. A
 * background virtual thread probes every {@code interval} (and at once after a failed
 * submission). Readiness follows the gate. Thread-safe.
 */
public final class SubmitGate implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubmitGate.class);

    private final BooleanSupplier probe;
    private final Duration interval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread prober;
    private volatile boolean open = true;
    private volatile boolean closed;
    private boolean recheck;

    /** @param probe true when Kafka answered; it must bound its own time */
    public SubmitGate(final BooleanSupplier probe, final Duration interval) {
        this.probe = probe;
        this.interval = interval;
        this.prober = Thread.ofVirtual().name("ingest-kafka-probe").start(this::run);
    }

    public boolean isOpen() {
        return open;
    }

    /** A submission was acknowledged: Kafka is there. */
    public void succeeded() {
        set(true, "a submission was acknowledged");
    }

    /** A submission failed: refuse at once until a probe succeeds. */
    public void failed() {
        set(false, "a submission failed");
        lock.lock();
        try {
            recheck = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void set(final boolean value, final String why) {
        if (open != value) {
            open = value;
            if (value) {
                LOG.info("Kafka is reachable again ({}): accepting submissions", why);
            } else {
                LOG.warn("Kafka unreachable ({}): answering 451 4.3.0 at once until it is back", why);
            }
        }
    }

    private void run() {
        while (!closed) {
            lock.lock();
            try {
                if (!recheck) {
                    wake.await(open ? interval.toMillis() : Math.max(100, interval.toMillis() / 2),
                            java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                recheck = false;
            } catch (final InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (closed) {
                return;
            }
            final boolean reachable;
            try {
                reachable = probe.getAsBoolean();
            } catch (final RuntimeException e) {
                set(false, "probe failed: " + e.getMessage());
                continue;
            }
            set(reachable, reachable ? "probe answered" : "probe got no answer");
        }
    }

    @Override
    public void close() {
        closed = true;
        prober.interrupt();
    }
}
