package dev.mailpipe.schemas;

/**
 * Headers of every record mailpipe writes to a dead-letter topic ({@code mail.raw.dlt},
 * {@code mail.outbound.dlt}, {@code mail.webhooks.dlt}). All of mailpipe's record headers follow one
 * convention: {@code mailpipe.<area>.<name>}, lower case, UTF-8 text values (as Kafka Connect's
 * {@code __connect.errors.*}). Part of the public contract: operators read them.
 */
public final class DeadLetterHeaders {

    /** Why the record was given up on, human-readable. Always present. */
    public static final String REASON = "mailpipe.dlt.reason";
    /** The topic the record was read from, when it is a copy of a record that could not be processed. */
    public static final String TOPIC = "mailpipe.dlt.topic";
    /** The partition it was read from (decimal), with {@link #TOPIC}. */
    public static final String PARTITION = "mailpipe.dlt.partition";
    /** The offset it was read from (decimal), with {@link #TOPIC}. */
    public static final String OFFSET = "mailpipe.dlt.offset";

    private DeadLetterHeaders() {
    }
}
