package dev.mailpipe.core.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyHasherTest {

    @Test
    void shouldVerifyOnlyTheRightKey() {
        final String hash = KeyHasher.hash("correct horse", 1000);
        assertThat(hash).startsWith("pbkdf2-sha256$1000$").doesNotContain("correct horse");
        assertThat(KeyHasher.verify("correct horse", hash)).isTrue();
        assertThat(KeyHasher.verify("correct horsE", hash)).isFalse();
        assertThat(KeyHasher.verify("correct horse", null)).isFalse();
        assertThat(KeyHasher.verify("x", "garbage")).isFalse();
        assertThat(KeyHasher.verify("x", "pbkdf2-sha256$1$%%$%%")).isFalse();
    }

    @Test
    void shouldSaltEveryHash() {
        assertThat(KeyHasher.hash("k", 1000)).isNotEqualTo(KeyHasher.hash("k", 1000));
    }

    @Test
    void shouldMakeLongRandomKeys() {
        assertThat(KeyHasher.newKey()).matches("[A-Za-z0-9]{32}").isNotEqualTo(KeyHasher.newKey());
    }
}
