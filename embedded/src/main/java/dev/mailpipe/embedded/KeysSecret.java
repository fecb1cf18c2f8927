package dev.mailpipe.embedded;

import dev.mailpipe.core.dkim.KeySealer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The secret that seals DKIM private keys ({@code MAILPIPE_KEYS_SECRET}). The embedded default
 * (no {@code KAFKA_BOOTSTRAP_SERVERS}) generates one into {@code <data dir>/keys-secret} (mode
 * 600) the first time it is needed, and {@code ./mailpipe up} and {@code ./mailpipe domains} share
 * it; against an external cluster the variable must be set, so a CLI run on a laptop never seals
 * keys under a secret the deliverers do not have.
 */
final class KeysSecret {

    static final String VARIABLE = "MAILPIPE_KEYS_SECRET";
    static final String KEY = "keys.secret";
    static final String FILE = "keys-secret";

    private KeysSecret() {
    }

    /** From the config values (dotted keys), else the data dir's file when Kafka is embedded. */
    static Optional<String> resolve(final Map<String, String> values) {
        final String given = values.get(KEY);
        if (given != null && !given.isBlank()) {
            return Optional.of(given);
        }
        final String bootstrap = values.get("bootstrap.servers");
        if (bootstrap != null && !bootstrap.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(loadOrCreate(Path.of(values.getOrDefault("data.dir", "data"))));
    }

    static String loadOrCreate(final Path dataDir) {
        final Path file = dataDir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, KeySealer.newSecret() + "\n", StandardCharsets.US_ASCII);
                } catch (final FileAlreadyExistsException raced) {
                    // another process made it first: use theirs
                } catch (final UnsupportedOperationException noPosix) {
                    Files.writeString(file, KeySealer.newSecret() + "\n", StandardCharsets.US_ASCII);
                }
            }
            final String secret = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (secret.isEmpty()) {
                throw new IllegalStateException(file + " is empty; delete it to generate a new one (keys sealed under"
                        + " the old secret can no longer be used)");
            }
            return secret;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
