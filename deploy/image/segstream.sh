#!/bin/sh
# The image's entrypoint: the JVM sized from the container's memory limit (75% of it for the heap;
# ONNX Runtime's and FFmpeg's native memory live in the rest), stopped on an OutOfMemoryError so that
# the container restarts instead of limping. JAVA_OPTS adds or overrides JVM options.
exec java -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} \
    -jar /opt/segstream/segstream.jar "$@"
