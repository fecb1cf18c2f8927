package dev.mailpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SingleObjectCodecTest {

    private static RawMessage raw() {
        return RawMessage.newBuilder()
                .setMessageId("1426390015358_15_6484_8661.sc-10_10_127_51-inbound")
                .setApiUser("api_user")
                .setLabel("42")
                .setMailFrom("support@ifaxin.com")
                .setRecipients(List.of("ben@ifaxin.com"))
                .setReceivedAt(java.time.Instant.ofEpochMilli(1426390015358L))
                .setContent(ByteBuffer.wrap("Subject: 你好\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    @Test
    void shouldWriteTheSingleObjectMarkerAndFingerprint() {
        final byte[] bytes = SingleObjectCodec.of(RawMessage.class).encode(raw());

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        final long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(RawMessage.getClassSchema()));
    }

    @Test
    void shouldRoundTripEveryTopicValue() {
        final RawMessage raw = raw();
        assertThat(Topics.RAW.valueSerde().deserializer().deserialize("t",
                Topics.RAW.valueSerde().serializer().serialize("t", raw))).isEqualTo(raw);

        final DeliveryEvent event = DeliveryEvent.newBuilder()
                .setType(EventType.delivered)
                .setMessageId("m")
                .setEmailId("m0$ben@ifaxin.com")
                .setTimestamp(java.time.Instant.ofEpochMilli(1))
                .setRemoteReply(new RemoteReply(250, "2.0.0", "ok"))
                .setCustomHeaders(Map.of("SC-Custom-a", "b"))
                .build();
        final byte[] bytes = Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize("t", event);
        assertThat(Topics.DELIVERY_EVENTS.valueSerde().deserializer().deserialize("t", bytes)).isEqualTo(event);
    }

    @Test
    void shouldRefuseBytesThatAreNotASingleObject() {
        final byte[] garbage = "not avro".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Topics.RAW.valueSerde().deserializer().deserialize("mail.raw", garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("mail.raw");
    }

    @Test
    void shouldRefuseARecordOfAnotherTopicsSchema() {
        final byte[] raw = SingleObjectCodec.of(RawMessage.class).encode(raw());
        assertThatThrownBy(() -> SingleObjectCodec.of(DeliveryEvent.class).decode(raw))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void shouldPassTombstonesThrough() {
        assertThat(Topics.OUTBOUND.valueSerde().serializer().serialize("t", null)).isNull();
        assertThat(Topics.OUTBOUND.valueSerde().deserializer().deserialize("t", null)).isNull();
    }
}
