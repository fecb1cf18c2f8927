package dev.mailpipe.schemas;

/**
 * Turns one record type into bytes and back. The small seam between mailpipe and its wire
 * format: today Avro single-object encoding, later possibly a registry-backed format.
 *
 * @param <T> the record type
 */
public interface RecordCodec<T> {

    byte[] encode(T value);

    /**
     * Decodes bytes written by {@link #encode} with this or any earlier schema version.
     *
     * @throws CodecException if the bytes are not a record this codec knows
     */
    T decode(byte[] bytes);
}
