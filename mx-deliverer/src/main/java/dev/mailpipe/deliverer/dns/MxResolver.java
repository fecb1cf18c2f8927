package dev.mailpipe.deliverer.dns;

/** Resolves a recipient domain to the MX hosts to try. Implementations are thread-safe. */
public interface MxResolver {

    MxResolution resolve(String domain);
}
