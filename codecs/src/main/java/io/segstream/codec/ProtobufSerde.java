package io.segstream.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a protobuf message in its plain binary encoding (no registry framing, so any
 * protobuf runtime in any language reads the topic with the .proto files alone). The frames
 * topic is read as bytes and checked by {@link FrameCodec} instead, so that a bad record can be
 * dead-lettered with its reason rather than failing deserialization.
 */
public final class ProtobufSerde<T extends MessageLite> implements Serde<T> {
    private final Parser<T> parser;
    private final String typeName;

    public ProtobufSerde(Parser<T> parser, String typeName) {
        this.parser = parser;
        this.typeName = typeName;
    }

    public static ProtobufSerde<io.segstream.schemas.v1.Mask> masks() {
        return new ProtobufSerde<>(io.segstream.schemas.v1.Mask.parser(), "segstream.v1.Mask");
    }

    public static ProtobufSerde<io.segstream.schemas.v1.Frame> frames() {
        return new ProtobufSerde<>(io.segstream.schemas.v1.Frame.parser(), "segstream.v1.Frame");
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, message) -> message == null ? null : message.toByteArray();
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new SerializationException("record of " + topic + " is not a " + typeName + ": "
                        + e.getMessage(), e);
            }
        };
    }
}
