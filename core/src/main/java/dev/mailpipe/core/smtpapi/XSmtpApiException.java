package dev.mailpipe.core.smtpapi;

/** The submission's X-SMTPAPI header is unusable; the message says why (SendCloud: "xsmtpapi error"). */
public final class XSmtpApiException extends Exception {

    public XSmtpApiException(final String message) {
        super(message);
    }

    public XSmtpApiException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
