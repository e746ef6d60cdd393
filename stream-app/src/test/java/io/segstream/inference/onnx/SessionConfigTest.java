package io.segstream.inference.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtSession;
import io.segstream.inference.EngineRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CPU session options every engine starts from. */
class SessionConfigTest {
    @Test
    void cpuSessionsUseTheRequestedThreadsAndDoNotSpin() throws Exception {
        EngineRequest request = EngineRequest.cpu(Path.of("model.onnx"), new long[] {3, 513, 513}, 3);
        try (OrtSession.SessionOptions options = SessionConfig.cpu(request)) {
            assertEquals("0", options.getConfigEntries().get(SessionConfig.ALLOW_SPINNING),
                    options.getConfigEntries().toString());
        }
    }
}
