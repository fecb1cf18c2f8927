package dev.mailpipe.expander.mime;

/**
 * What differs between the emails of one submission.
 *
 * @param recipient the address this email goes to
 * @param messageId the email's own Message-ID, with angle brackets
 * @param values    the values of the submission's {@link Variables}, in their order
 */
public record Personal(String recipient, String messageId, String[] values) {
}
