package dev.mailpipe.deliverer.dns;

/** One MX record: exchange host name (without trailing dot) and preference. */
public record MxRecord(String host, int preference) {
}
