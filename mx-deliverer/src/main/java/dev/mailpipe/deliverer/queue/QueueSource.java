package dev.mailpipe.deliverer.queue;

/** Where {@code ./mailpipe queue} gets its data: one consistent-enough read of Kafka per call. */
public interface QueueSource extends AutoCloseable {

    QueueSnapshot read();

    @Override
    void close();
}
