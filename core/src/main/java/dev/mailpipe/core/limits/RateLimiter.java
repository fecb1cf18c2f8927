package dev.mailpipe.core.limits;

/** The per-account submission budget (SendCloud: 20,000 calls per api_user per minute). */
@FunctionalInterface
public interface RateLimiter {

    RateLimiter UNLIMITED = apiUser -> true;

    /** Takes one unit of {@code apiUser}'s budget; false when none is left (536 Frequency limited). */
    boolean tryAcquire(String apiUser);
}
