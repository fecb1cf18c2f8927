package dev.mailpipe.deliverer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;

/**
 * Caps concurrent deliveries per recipient domain, so one instance never opens more than
 * {@code limit} connections towards one destination however many of its emails are in flight.
 * Callers block (virtual threads) until a slot is free.
 */
final class DestinationLimiter {

    private final int limit;
    private final ConcurrentMap<String, Semaphore> permits = new ConcurrentHashMap<>();

    DestinationLimiter(final int limit) {
        this.limit = limit;
    }

    void acquire(final String destination) throws InterruptedException {
        permits.computeIfAbsent(destination, d -> new Semaphore(limit, true)).acquire();
    }

    void release(final String destination) {
        permits.get(destination).release();
    }
}
