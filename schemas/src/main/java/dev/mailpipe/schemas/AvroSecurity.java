package dev.mailpipe.schemas;

/**
 * Avro 1.12 refuses to instantiate classes from packages it does not trust. Our generated
 * classes live under {@code dev.mailpipe}; trust that package unless the operator has set
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES} explicitly.
 */
final class AvroSecurity {

    static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";

    private AvroSecurity() {
    }

    static void trustMailpipePackages() {
        final String current = System.getProperty(PROPERTY);
        if (current == null || current.isBlank()) {
            System.setProperty(PROPERTY, "dev.mailpipe");
        } else if (!current.contains("dev.mailpipe")) {
            System.setProperty(PROPERTY, current + ",dev.mailpipe");
        }
    }
}
