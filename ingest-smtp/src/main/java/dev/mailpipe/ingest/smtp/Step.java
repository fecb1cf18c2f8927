package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.platform.queue.Submission;
import java.util.List;

/**
 * What the session asks its transport to do after one input: send these replies (in order),
 * then perform the action.
 */
public record Step(List<SmtpReply> replies, Action action) {

    public Step {
        replies = List.copyOf(replies);
    }

    static Step reply(final SmtpReply reply) {
        return new Step(List.of(reply), new Action.Continue());
    }

    static Step replyThen(final SmtpReply reply, final Action action) {
        return new Step(List.of(reply), action);
    }

    /** What the transport does after sending the replies. */
    public sealed interface Action {

        /** Read the next command line. */
        record Continue() implements Action {
        }

        /** Read the message data and hand it to {@link InboundSession#onData}. */
        record ReadData(long maxBytes, int maxLineLength) implements Action {
        }

        /** Queue the message and report to {@link InboundSession#onQueued} or {@link InboundSession#onQueueFailed}. */
        record Submit(Submission submission) implements Action {
        }

        /** Start TLS on the connection, discarding any input already buffered, then call {@link InboundSession#onTlsStarted}. */
        record StartTls() implements Action {
        }

        /** Close the connection. */
        record Close() implements Action {
        }
    }
}
