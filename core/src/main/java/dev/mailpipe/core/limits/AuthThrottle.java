package dev.mailpipe.core.limits;

/** Slows down password guessing: failed AUTH attempts per client address. */
public interface AuthThrottle {

    AuthThrottle NONE = new AuthThrottle() {
        @Override
        public boolean isBlocked(final String clientAddress) {
            return false;
        }

        @Override
        public void recordFailure(final String clientAddress) {
        }
    };

    /** True while this address may not try to authenticate. */
    boolean isBlocked(String clientAddress);

    void recordFailure(String clientAddress);
}
