/**
 * Rules that more than one mailpipe service applies, written once: pure code, no I/O, no Kafka,
 * so every entry point (SMTP ingest, the Web API, the expander, the web service) agrees by
 * construction.
 */
package dev.mailpipe.core;
