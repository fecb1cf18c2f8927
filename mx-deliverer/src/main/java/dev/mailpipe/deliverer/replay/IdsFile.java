package dev.mailpipe.deliverer.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code --ids-file}: one messageId or emailId a line. Blank lines and lines starting with
 * {@code #} are skipped, surrounding spaces and angle brackets ({@code <id>}, as in a Message-ID
 * header) are dropped; an id with a space inside is refused with its line number, since it would
 * silently match nothing.
 */
final class IdsFile {

    private IdsFile() {
    }

    /** The id on one line (1-based {@code number}), or null for a line without one. */
    static String parseLine(final String line, final int number) {
        String id = line.strip();
        if (id.isEmpty() || id.startsWith("#")) {
            return null;
        }
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1).strip();
        }
        if (id.isEmpty() || id.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("--ids-file line " + number + ": not one messageId or emailId: '" + line
                    + "'");
        }
        return id;
    }

    /** Feeds each id of the file to {@code sink} as it is read (a large file is never held whole); returns their number. */
    static long read(final Path file, final Consumer<String> sink) {
        long n = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                final String id = parseLine(line, ++number);
                if (id != null) {
                    sink.accept(id);
                    n++;
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("--ids-file " + file + ": " + e.getMessage(), e);
        }
        return n;
    }
}
