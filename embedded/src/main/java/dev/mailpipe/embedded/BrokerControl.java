package dev.mailpipe.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * The control file of a running broker child ({@code <data dir>/kafka/broker-control.properties}):
 * its pid, the loopback port of its control socket and the token that adopts it. Readable by its
 * owner only, because the token lets a launcher take the broker over.
 */
record BrokerControl(long pid, int port, String token) {

    static final String FILE = "broker-control.properties";

    /** Writes atomically (a reader never sees half a file), mode 600. */
    void write(final Path file) throws IOException {
        final Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("port", Integer.toString(port));
        p.setProperty("token", token);
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "the running embedded broker; removed when it stops");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The control file's content, or empty when there is none or it is unreadable (a stale or torn file). */
    static Optional<BrokerControl> read(final Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            return Optional.of(new BrokerControl(Long.parseLong(p.getProperty("pid", "")),
                    Integer.parseInt(p.getProperty("port", "")), p.getProperty("token", "")));
        } catch (final IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** Removes the file if it still describes this broker (a successor may have written its own). */
    void removeIfMine(final Path file) {
        if (read(file).filter(this::equals).isPresent()) {
            try {
                Files.deleteIfExists(file);
            } catch (final IOException ignored) {
                // best effort at exit; a stale file is detected by the next launcher
            }
        }
    }
}
