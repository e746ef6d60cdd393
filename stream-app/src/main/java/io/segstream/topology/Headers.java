package io.segstream.topology;

/** Header names segstream writes on dead-lettered records. */
public final class Headers {
    /** Why the record was rejected, UTF-8. */
    public static final String ERROR = "segstream.error";
    /** Where it came from: topic, partition and offset of the original record, UTF-8. */
    public static final String SOURCE_TOPIC = "segstream.source.topic";
    public static final String SOURCE_PARTITION = "segstream.source.partition";
    public static final String SOURCE_OFFSET = "segstream.source.offset";

    private Headers() {}
}
