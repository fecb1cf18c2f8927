package dev.mailpipe.platform.queue;


/** Queues accepted messages durably. */
public interface Submitter extends AutoCloseable {

    /**
     * Blocks until the submission is durably stored (true) or definitely not (false: failed or timed
     * out). Only after true may the client be told {@code 250 Queued}.
     */
    boolean submit(Submission submission);

    @Override
    void close();
}
