package dev.mailpipe.web;

import io.helidon.common.socket.SocketOptions;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Helidon's options for accepted connections, plus a read timeout (SO_TIMEOUT) on every accepted
 * socket. Helidon's server does not apply {@link SocketOptions#readTimeout()} to the connections it
 * accepts, and its idle timeout only sees a connection once its first bytes identified the
 * protocol: without this, a client that connects and sends nothing holds a connection forever.
 * Helidon configures each accepted channel through {@link #configureSocket(SocketChannel)}; this
 * is where the timeout goes. It only works with Helidon's blocking sockets ({@code useNio(false)},
 * reads on virtual threads through the channel's socket adaptor, which honours SO_TIMEOUT); its NIO
 * sockets read the channel directly and ignore it.
 */
final class ReadTimeoutSocketOptions implements SocketOptions {

    private final SocketOptions base;
    private final int readTimeoutMillis;

    ReadTimeoutSocketOptions(final Duration readTimeout) {
        this.base = SocketOptions.builder().readTimeout(readTimeout).tcpNoDelay(true).build();
        this.readTimeoutMillis = Math.toIntExact(Math.max(1, readTimeout.toMillis()));
    }

    @Override
    public void configureSocket(final SocketChannel socket) {
        base.configureSocket(socket);
        try {
            socket.socket().setSoTimeout(readTimeoutMillis);
        } catch (final SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<SocketOption<?>, Object> socketOptions() {
        return base.socketOptions();
    }

    @Override
    public Duration connectTimeout() {
        return base.connectTimeout();
    }

    @Override
    public Duration readTimeout() {
        return base.readTimeout();
    }

    @Override
    public Optional<Integer> socketReceiveBufferSize() {
        return base.socketReceiveBufferSize();
    }

    @Override
    public Optional<Integer> socketSendBufferSize() {
        return base.socketSendBufferSize();
    }

    @Override
    public boolean socketReuseAddress() {
        return base.socketReuseAddress();
    }

    @Override
    public boolean socketKeepAlive() {
        return base.socketKeepAlive();
    }

    @Override
    public boolean tcpNoDelay() {
        return base.tcpNoDelay();
    }
}
