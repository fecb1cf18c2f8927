#!/usr/bin/env python3
"""Read mail.delivery-events with nothing of mailpipe but its .avsc files.

Needs Debian's python3-avro (the Apache Avro library) and, to consume from Kafka,
python3-confluent-kafka. Every record value is Avro single-object encoding: the marker C3 01,
the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the binary body.
decode() checks the fingerprint against the schema it was given, so a record written with
another schema is reported instead of being decoded into garbage.

    python3 examples/read_events.py --bootstrap localhost:9092 --schemas schemas/src/main/avro
prints one JSON object per event (key = messageId). examples/read_events.py is run by
embedded's ReadEventsWithoutMailpipeIT against a real Kafka cluster.
"""
import argparse
import io
import json
import pathlib
import struct
import sys
import time

import avro.io
import avro.name
import avro.schema

# DeliveryEvent.avsc names these types, so they are parsed first into the same Names.
SCHEMA_FILES = ("EventType", "BounceClass", "RemoteReply", "DeliveryEvent")
MARKER = b"\xc3\x01"

_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The Avro spec's CRC-64-AVRO (Rabin) fingerprint."""
    fp = _EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def load_schema(avsc_dir):
    names = avro.name.Names()
    schema = None
    for name in SCHEMA_FILES:
        text = (pathlib.Path(avsc_dir) / f"{name}.avsc").read_text(encoding="utf-8")
        schema = avro.schema.make_avsc_object(json.loads(text), names)
    return schema


def _primitives(node):
    # Parsing Canonical Form writes {"type":"long"} (a primitive with a logicalType) as "long";
    # python3-avro 1.11 keeps the braces, which would give another fingerprint than Java's.
    if isinstance(node, dict):
        if set(node) == {"type"} and isinstance(node["type"], str):
            return node["type"]
        return {k: _primitives(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_primitives(v) for v in node]
    return node


def fingerprint(schema) -> bytes:
    canonical = json.dumps(_primitives(json.loads(schema.canonical_form)), separators=(",", ":"),
                           ensure_ascii=False)
    return struct.pack("<Q", crc64_avro(canonical.encode("utf-8")))


def decode(value: bytes, schema, schema_fingerprint: bytes) -> dict:
    if value[:2] != MARKER:
        raise ValueError("not Avro single-object encoding (no C3 01 marker)")
    if value[2:10] != schema_fingerprint:
        raise ValueError(f"written with another schema (fingerprint {value[2:10].hex()}, "
                         f"this .avsc has {schema_fingerprint.hex()})")
    reader = avro.io.DatumReader(schema, schema)
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--bootstrap", required=True)
    args.add_argument("--schemas", default="schemas/src/main/avro", help="directory of the .avsc files")
    args.add_argument("--topic", default="mail.delivery-events")
    args.add_argument("--group", default="read-events-py")
    args.add_argument("--max", type=int, default=0, help="stop after this many events (0: run until Ctrl-C)")
    args.add_argument("--timeout", type=float, default=0, help="fail after this many seconds (0: never)")
    opts = args.parse_args()

    from confluent_kafka import Consumer

    schema = load_schema(opts.schemas)
    schema_fp = fingerprint(schema)
    consumer = Consumer({"bootstrap.servers": opts.bootstrap, "group.id": opts.group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": True})
    consumer.subscribe([opts.topic])
    seen = 0
    deadline = time.monotonic() + opts.timeout if opts.timeout else None
    try:
        while opts.max == 0 or seen < opts.max:
            if deadline and time.monotonic() > deadline:
                raise SystemExit(f"timed out after {seen} events")
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise SystemExit(f"kafka: {msg.error()}")
            try:
                event = decode(msg.value(), schema, schema_fp)
            except ValueError as e:
                print(f"skipped {msg.topic()}/{msg.partition()}@{msg.offset()}: {e}", file=sys.stderr)
                continue
            event["timestamp"] = event["timestamp"].isoformat()  # timestamp-millis arrives as a datetime
            print(json.dumps(event, sort_keys=True), flush=True)
            seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
