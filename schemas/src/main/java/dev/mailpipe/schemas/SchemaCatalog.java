package dev.mailpipe.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema version mailpipe has ever written: the current generated classes plus the
 * historical {@code .avsc} files listed in {@code history/index.txt}. A record whose fingerprint is
 * not here is refused rather than guessed at.
 */
public final class SchemaCatalog {

    private static final String HISTORY = "history/";
    private static final SchemaStore.Cache INSTANCE = load();

    private SchemaCatalog() {
    }

    /** The shared store; loaded once, read-only afterwards. */
    public static SchemaStore instance() {
        return INSTANCE;
    }

    /** The current schemas of every topic's value type. */
    public static List<Schema> currentSchemas() {
        return List.of(RawMessage.getClassSchema(), OutboundEmail.getClassSchema(),
                DeliveryEvent.getClassSchema(), Suppression.getClassSchema(), Webhook.getClassSchema(),
                SenderDomain.getClassSchema(), AddressList.getClassSchema(), AddressMember.getClassSchema(),
                ListTask.getClassSchema(), ListTaskProgress.getClassSchema(), ListTaskCounts.getClassSchema(),
                DeliveryStats.getClassSchema());
    }

    private static SchemaStore.Cache load() {
        final SchemaStore.Cache cache = new SchemaStore.Cache();
        currentSchemas().forEach(cache::addSchema);
        for (final String file : historyIndex()) {
            try (InputStream in = resource(HISTORY + file)) {
                cache.addSchema(new Schema.Parser().parse(in));
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot read schema history " + file, e);
            }
        }
        return cache;
    }

    private static List<String> historyIndex() {
        try (InputStream in = resource(HISTORY + "index.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read schema history index", e);
        }
    }

    private static InputStream resource(final String name) throws IOException {
        final InputStream in = SchemaCatalog.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("missing resource " + name);
        }
        return in;
    }
}
