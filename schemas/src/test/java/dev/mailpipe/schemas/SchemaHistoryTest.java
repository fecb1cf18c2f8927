package dev.mailpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** Records written with an older schema version (still on a topic) decode into the current class. */
class SchemaHistoryTest {

    private static Schema history(final String file) throws IOException {
        try (InputStream in = SchemaCatalog.class.getResourceAsStream("history/" + file)) {
            assertThat(in).as(file).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void shouldDecodeARawMessageWrittenBeforeAccountFilters() throws IOException {
        final Schema v1 = history("RawMessage-v1.avsc");
        assertThat(v1.getField("accountFilters")).isNull();
        assertThat(SchemaNormalization.parsingFingerprint64(v1))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(RawMessage.getClassSchema()));

        final GenericRecord old = new GenericData.Record(v1);
        old.put("messageId", "1426390015358_15_6484_8661.sc-10_10_127_51-inbound");
        old.put("apiUser", "api_user");
        old.put("label", "42");
        old.put("mailFrom", "support@ifaxin.com");
        old.put("recipients", List.of("ben@ifaxin.com"));
        old.put("receivedAt", 1426390015358L);
        old.put("clientAddress", "192.0.2.7");
        old.put("clientHelo", "client.example");
        old.put("tlsCipher", null);
        old.put("content", ByteBuffer.wrap("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8)));
        final ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
        final byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        final RawMessage decoded = Topics.RAW.valueSerde().deserializer().deserialize("mail.raw", bytes);

        assertThat(decoded.getMessageId()).isEqualTo("1426390015358_15_6484_8661.sc-10_10_127_51-inbound");
        assertThat(decoded.getApiUser()).isEqualTo("api_user");
        assertThat(decoded.getLabel()).isEqualTo("42");
        assertThat(decoded.getRecipients()).containsExactly("ben@ifaxin.com");
        assertThat(decoded.getReceivedAt().toEpochMilli()).isEqualTo(1426390015358L);
        assertThat(decoded.getClientHelo()).isEqualTo("client.example");
        assertThat(StandardCharsets.UTF_8.decode(decoded.getContent()).toString()).isEqualTo("Subject: hi\r\n\r\nbody\r\n");
        assertThat(decoded.getAccountFilters()).isNull();
    }

    @Test
    void shouldRoundTripAccountFiltersInTheCurrentVersion() {
        final RawMessage raw = RawMessage.newBuilder()
                .setMessageId("m").setApiUser("u").setMailFrom("a@b.test")
                .setRecipients(List.of("c@d.test"))
                .setReceivedAt(java.time.Instant.ofEpochMilli(1))
                .setContent(ByteBuffer.wrap(new byte[] {'x'}))
                .setAccountFilters(new TrackingFilters(false, true, false))
                .build();
        final byte[] bytes = Topics.RAW.valueSerde().serializer().serialize("mail.raw", raw);

        assertThat(Topics.RAW.valueSerde().deserializer().deserialize("mail.raw", bytes).getAccountFilters())
                .isEqualTo(new TrackingFilters(false, true, false));
    }
}
