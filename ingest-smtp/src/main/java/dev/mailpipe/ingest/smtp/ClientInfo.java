package dev.mailpipe.ingest.smtp;

/**
 * Who is connected.
 *
 * @param address        the client's IP address, as text
 * @param trustedAccount the account a trusted network maps this address to, or null
 * @param tlsCipher      the cipher suite when the connection is already TLS (implicit TLS), or null
 * @param tlsProtocol    the TLS protocol version when already TLS, or null
 */
public record ClientInfo(String address, String trustedAccount, String tlsCipher, String tlsProtocol) {

    public static ClientInfo plain(final String address) {
        return new ClientInfo(address, null, null, null);
    }
}
