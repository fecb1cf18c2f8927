package dev.mailpipe.ingest.queue;

import dev.mailpipe.platform.queue.Submission;
import dev.mailpipe.platform.queue.Submitter;


/**
 * A {@link Submitter} that fails at once while the {@link SubmitGate} is shut (Kafka unreachable)
 * and tells the gate how each real submission went.
 */
public final class GatedSubmitter implements Submitter {

    private final Submitter delegate;
    private final SubmitGate gate;

    public GatedSubmitter(final Submitter delegate, final SubmitGate gate) {
        this.delegate = delegate;
        this.gate = gate;
    }

    @Override
    public boolean submit(final Submission submission) {
        if (!gate.isOpen()) {
            return false;
        }
        final boolean queued = delegate.submit(submission);
        if (queued) {
            gate.succeeded();
        } else {
            gate.failed();
        }
        return queued;
    }

    @Override
    public void close() {
        gate.close();
        delegate.close();
    }
}
