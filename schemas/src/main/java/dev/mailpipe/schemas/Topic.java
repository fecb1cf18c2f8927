package dev.mailpipe.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic tied to the serdes of its key and value, so producers and consumers of one topic
 * cannot disagree on the wire format.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
