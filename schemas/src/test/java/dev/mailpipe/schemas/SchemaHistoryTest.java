package dev.mailpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
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

    @Test
    void shouldReadARawMessageWrittenBeforeAccountFooterTextAndLetTheOldReaderReadANewOne() throws IOException {
        final Schema v3 = history("RawMessage-v3.avsc");
        assertThat(v3.getField("accountFooterText")).isNull();
        final GenericRecord old = new GenericData.Record(v3);
        old.put("messageId", "m-3");
        old.put("apiUser", "u");
        old.put("mailFrom", "a@b.test");
        old.put("recipients", List.of("c@d.test"));
        old.put("receivedAt", 3L);
        old.put("clientAddress", "192.0.2.3");
        old.put("clientHelo", "");
        old.put("content", ByteBuffer.wrap(new byte[] {'x'}));
        old.put("smtputf8", false);
        old.put("source", "api");
        final RawMessage decoded = Topics.RAW.valueSerde().deserializer().deserialize("mail.raw", encode(v3, old));
        assertThat(decoded.getSource()).isEqualTo("api");
        assertThat(decoded.getAccountFooterText()).isNull();

        final RawMessage current = RawMessage.newBuilder(decoded).setAccountFooterText("Abbestellen").build();
        final SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(RawMessage.getClassSchema());
        final GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v3, store)
                .decode(Topics.RAW.valueSerde().serializer().serialize("mail.raw", current));
        assertThat(read.get("messageId").toString()).isEqualTo("m-3");
        assertThat(read.getSchema().getField("accountFooterText")).isNull();
    }

    private static byte[] encode(final Schema writer, final GenericRecord record) throws IOException {
        final ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
        final byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    @Test
    void shouldDecodeADeliveryEventWrittenBeforeEventIds() throws IOException {
        final Schema v1 = history("DeliveryEvent-v1.avsc");
        assertThat(v1.getField("eventId")).isNull();
        final GenericRecord old = new GenericData.Record(v1);
        old.put("type", new GenericData.EnumSymbol(v1.getField("type").schema(), "bounced"));
        old.put("messageId", "m-1");
        old.put("emailId", "m-10$ben@ifaxin.com");
        old.put("apiUser", "api_user");
        old.put("timestamp", 1426390015358L);
        old.put("attempt", 2);
        old.put("customHeaders", java.util.Map.of());

        final DeliveryEvent decoded = Topics.DELIVERY_EVENTS.valueSerde().deserializer()
                .deserialize("mail.delivery-events", encode(v1, old));

        assertThat(decoded.getType()).isEqualTo(EventType.bounced);
        assertThat(decoded.getEmailId()).isEqualTo("m-10$ben@ifaxin.com");
        assertThat(decoded.getAttempt()).isEqualTo(2);
        assertThat(decoded.getEventId()).isEmpty();
        assertThat(decoded.getBounceClass()).isNull();
        assertThat(decoded.getMachineOpen()).isFalse();
    }

    @Test
    void shouldLetAReaderOfTheOldSchemaReadANewEvent() throws IOException {
        final Schema v1 = history("DeliveryEvent-v1.avsc");
        final DeliveryEvent current = DeliveryEvent.newBuilder().setType(EventType.delivered).setMessageId("m-1")
                .setEmailId("m-10$ben@ifaxin.com").setApiUser("u").setTimestamp(java.time.Instant.ofEpochMilli(7))
                .setEventId("e-1").setInternetMessageId("abc@mailpipe.test").build();
        final byte[] bytes = Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize("mail.delivery-events", current);

        final SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(DeliveryEvent.getClassSchema());
        final GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1, store).decode(bytes);

        assertThat(read.get("type").toString()).isEqualTo("delivered");
        assertThat(read.get("emailId").toString()).isEqualTo("m-10$ben@ifaxin.com");
        assertThat(read.getSchema().getField("eventId")).isNull();
    }

    @Test
    void shouldLetAReaderOfTheOldSchemaReadABounceWithItsClassAndADroppedEventAsItsOldDefault() throws IOException {
        final Schema v1 = history("DeliveryEvent-v1.avsc");
        final SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(DeliveryEvent.getClassSchema());
        final BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), v1, store);
        final DeliveryEvent bounce = DeliveryEvent.newBuilder().setType(EventType.bounced).setMessageId("m-1")
                .setEmailId("m-10$ben@ifaxin.com").setTimestamp(java.time.Instant.ofEpochMilli(7))
                .setBounceClass(BounceClass.hard).build();
        final DeliveryEvent dropped = DeliveryEvent.newBuilder(bounce).setType(EventType.dropped).setBounceClass(null)
                .setReason("suppressed: unsubscribe").build();

        final GenericRecord readBounce = oldReader.decode(
                Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize("t", bounce));
        final GenericRecord readDropped = oldReader.decode(
                Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize("t", dropped));

        assertThat(readBounce.get("type").toString()).isEqualTo("bounced");
        assertThat(readBounce.getSchema().getField("bounceClass")).isNull();
        // v1's enum default was "invalid": a v1 reader cannot tell the new types apart, which is why
        // v2 made the default an explicit "unknown" (next test); v1 consumers must upgrade to see them.
        assertThat(readDropped.get("type").toString()).isEqualTo("invalid");
        assertThat(readDropped.get("reason").toString()).isEqualTo("suppressed: unsubscribe");
    }

    @Test
    void shouldReadAnEventTypeTheReaderDoesNotKnowAsUnknown() throws IOException {
        final Schema newer = new Schema.Parser().parse(EventType.getClassSchema().toString()
                .replace("\"unknown\"]", "\"unknown\",\"bounce_ack\"]"));
        final Schema writer = SchemaBuilder.record("Holder").fields().name("type").type(newer).noDefault().endRecord();
        final Schema reader = SchemaBuilder.record("Holder").fields().name("type").type(EventType.getClassSchema()).noDefault().endRecord();
        final GenericRecord record = new GenericData.Record(writer);
        record.put("type", new GenericData.EnumSymbol(newer, "bounce_ack"));
        final SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(writer);

        final GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), reader, store)
                .decode(encode(writer, record));

        assertThat(read.get("type").toString()).isEqualTo("unknown");
    }

    @Test
    void shouldDecodeAnOutboundEmailWrittenBeforeSmtputf8() throws IOException {
        final Schema v1 = history("OutboundEmail-v1.avsc");
        assertThat(v1.getField("smtputf8")).isNull();
        final GenericRecord old = new GenericData.Record(v1);
        old.put("emailId", "m-10$ben@ifaxin.com");
        old.put("messageId", "m-1");
        old.put("index", 0);
        old.put("apiUser", "u");
        old.put("mailFrom", "a@b.test");
        old.put("recipient", "ben@ifaxin.com");
        old.put("recipientDomain", "ifaxin.com");
        old.put("submittedAt", 1L);
        old.put("customHeaders", java.util.Map.of());
        old.put("content", ByteBuffer.wrap(new byte[] {'x'}));

        final OutboundEmail decoded = Topics.OUTBOUND.valueSerde().deserializer().deserialize("mail.outbound", encode(v1, old));

        assertThat(decoded.getRecipient()).isEqualTo("ben@ifaxin.com");
        assertThat(decoded.getSmtputf8()).isFalse();
        assertThat(decoded.getMailListTaskId()).isNull();
    }

    @Test
    void shouldDecodeARawMessageWrittenBeforeSmtputf8AsAnSmtpSubmission() throws IOException {
        final Schema v2 = history("RawMessage-v2.avsc");
        assertThat(v2.getField("accountFilters")).isNotNull();
        final GenericRecord old = new GenericData.Record(v2);
        old.put("messageId", "m-1");
        old.put("apiUser", "u");
        old.put("mailFrom", "a@b.test");
        old.put("recipients", List.of("c@d.test"));
        old.put("receivedAt", 1L);
        old.put("clientAddress", "");
        old.put("clientHelo", "");
        old.put("content", ByteBuffer.wrap(new byte[] {'x'}));

        final RawMessage decoded = Topics.RAW.valueSerde().deserializer().deserialize("mail.raw", encode(v2, old));

        assertThat(decoded.getSmtputf8()).isFalse();
        assertThat(decoded.getSource()).isEqualTo("smtp");
    }

    @Test
    void shouldRoundTripAStatisticsBucketAndReadAPeriodThisReaderDoesNotKnowAsUnknown() throws IOException {
        final DeliveryStats bucket = DeliveryStats.newBuilder().setPeriod(StatsPeriod.day)
                .setStart(java.time.Instant.parse("2026-12-03T00:00:00Z")).setApiUser("shop").setLabel("7")
                .setDomain("x.example").setRequest(3).setUniqueOpen(1).setUpdatedAt(java.time.Instant.ofEpochMilli(5))
                .build();
        final byte[] bytes = Topics.STATS.valueSerde().serializer().serialize("mail.stats", bucket);
        assertThat(Topics.STATS.valueSerde().deserializer().deserialize("mail.stats", bytes)).isEqualTo(bucket);

        // a newer writer with a "week" period: this reader sees the enum's default
        final Schema newer = new Schema.Parser().parse(DeliveryStats.getClassSchema().toString()
                .replace("\"symbols\":[\"hour\",\"day\",\"unknown\"]", "\"symbols\":[\"hour\",\"day\",\"week\",\"unknown\"]"));
        final GenericRecord week = new GenericData.Record(newer);
        for (final Schema.Field f : newer.getFields()) {
            week.put(f.name(), f.schema().getType() == Schema.Type.LONG ? 0L : null);
        }
        week.put("period", new GenericData.EnumSymbol(newer.getField("period").schema(), "week"));
        week.put("start", 0L);
        week.put("apiUser", "shop");
        week.put("label", "");
        week.put("domain", "");
        week.put("updatedAt", 0L);
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(newer).write(week, encoder);
        encoder.flush();
        final DeliveryStats read = new org.apache.avro.specific.SpecificDatumReader<DeliveryStats>(newer,
                DeliveryStats.getClassSchema()).read(null,
                org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(read.getPeriod()).isEqualTo(StatsPeriod.unknown);
    }

    @Test
    void shouldRoundTripAWebhookEndpoint() {
        final Webhook hook = Webhook.newBuilder().setId("wh_0123456789abcdef").setApiUser("api_user")
                .setUrl("https://hooks.example/sendcloud").setEvents(List.of("deliver", "open"))
                .setAppKey("k").setFormat(WebhookFormat.json_batch)
                .setCreatedAt(java.time.Instant.ofEpochMilli(1)).setUpdatedAt(java.time.Instant.ofEpochMilli(2)).build();
        final byte[] bytes = Topics.WEBHOOKS.valueSerde().serializer().serialize("mail.webhooks", hook);

        assertThat(Topics.WEBHOOKS.valueSerde().deserializer().deserialize("mail.webhooks", bytes)).isEqualTo(hook);
    }

    @Test
    void shouldReadAWebhookOfANewerWriterWithAFormatThisReaderDoesNotKnowAsUnknown() throws IOException {
        final Schema newer = new Schema.Parser().parse(Webhook.getClassSchema().toString()
                .replace("\"unknown\"]", "\"unknown\",\"protobuf\"]")
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"secretVersion\",\"type\":\"int\",\"default\":1},"));
        final GenericRecord record = new GenericData.Record(newer);
        record.put("secretVersion", 2);
        record.put("id", "wh_1");
        record.put("apiUser", "u");
        record.put("url", "http://127.0.0.1:1/");
        record.put("events", List.of());
        record.put("appKey", "k");
        record.put("format", new GenericData.EnumSymbol(newer.getField("format").schema(), "protobuf"));
        record.put("createdAt", 1L);
        record.put("updatedAt", 1L);
        final SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(newer);

        final Webhook read = new BinaryMessageDecoder<Webhook>(
                new org.apache.avro.specific.SpecificData(), Webhook.getClassSchema(), store).decode(encode(newer, record));

        assertThat(read.getId()).isEqualTo("wh_1");
        assertThat(read.getFormat()).isEqualTo(WebhookFormat.unknown);
    }

    @Test
    void shouldRoundTripASenderDomainWithARetiredKeyAndNoClearPrivateKey() {
        final SenderDomain domain = SenderDomain.newBuilder()
                .setDomain("shop.example").setApiUser("shop")
                .setKeys(List.of(
                        new DkimKeyRecord("mp1", DkimAlgorithmName.rsa_sha256, "MIIBIjAN",
                                ByteBuffer.wrap(new byte[] {1, 2, 3}), java.time.Instant.ofEpochMilli(1),
                                java.time.Instant.ofEpochMilli(5)),
                        new DkimKeyRecord("mp2", DkimAlgorithmName.ed25519_sha256, "11qYAYK",
                                ByteBuffer.wrap(new byte[] {4}), java.time.Instant.ofEpochMilli(5), null)))
                .setCreatedAt(java.time.Instant.ofEpochMilli(1)).setUpdatedAt(java.time.Instant.ofEpochMilli(5))
                .build();
        final byte[] bytes = Topics.DOMAINS.valueSerde().serializer().serialize("mail.domains", domain);

        final SenderDomain decoded = Topics.DOMAINS.valueSerde().deserializer().deserialize("mail.domains", bytes);

        // (Avro's generated equals cannot compare a nested timestamp inside a union: compare fields)
        assertThat(decoded.getDomain()).isEqualTo("shop.example");
        assertThat(decoded.getApiUser()).isEqualTo("shop");
        assertThat(decoded.getKeys()).extracting(DkimKeyRecord::getSelector, DkimKeyRecord::getAlgorithm,
                DkimKeyRecord::getPublicKey).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("mp1", DkimAlgorithmName.rsa_sha256, "MIIBIjAN"),
                        org.assertj.core.groups.Tuple.tuple("mp2", DkimAlgorithmName.ed25519_sha256, "11qYAYK"));
        assertThat(decoded.getKeys().get(0).getSealedPrivateKey()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(decoded.getKeys().get(0).getRetiredAt()).isEqualTo(java.time.Instant.ofEpochMilli(5));
        assertThat(decoded.getKeys().get(1).getRetiredAt()).isNull();
        assertThat(SenderDomain.getClassSchema().getField("keys").schema().getElementType().getFields())
                .extracting(org.apache.avro.Schema.Field::name).doesNotContain("privateKey");
    }
}
