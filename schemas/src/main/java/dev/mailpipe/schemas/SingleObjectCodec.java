package dev.mailpipe.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding: {@code C3 01}, the 8-byte CRC-64-AVRO fingerprint of the writer
 * schema (little-endian), then the binary body. The decoder resolves the writer schema through
 * {@link SchemaCatalog}, so records written with any version shipped in {@code schemas/} still
 * decode into the current generated class.
 */
public final class SingleObjectCodec<T extends SpecificRecord> implements RecordCodec<T> {

    static {
        AvroSecurity.trustMailpipePackages();
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private SingleObjectCodec(final Class<T> type, final Schema schema) {
        this.type = type;
        final SpecificData model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, SchemaCatalog.instance());
    }

    /** A codec for a generated record class; its current schema is the reader schema. */
    public static <T extends SpecificRecord> SingleObjectCodec<T> of(final Class<T> type) {
        return new SingleObjectCodec<>(type, SpecificData.get().getSchema(type));
    }

    @Override
    public byte[] encode(final T value) {
        try {
            final ByteBuffer buffer = encoder.encode(value);
            final byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        }
    }

    @Override
    public T decode(final byte[] bytes) {
        try {
            return decoder.decode(bytes);
        } catch (final IOException | RuntimeException e) {
            throw new CodecException("not a " + type.getSimpleName() + " in Avro single-object encoding: "
                    + e.getMessage(), e);
        }
    }
}
