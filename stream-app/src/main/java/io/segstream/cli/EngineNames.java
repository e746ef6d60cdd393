package io.segstream.cli;

import io.segstream.inference.EngineChoice;
import java.util.Iterator;

/**
 * The values {@code --engine} takes, for its help ({@code ${COMPLETION-CANDIDATES}}) and shell
 * completion: {@code auto} and the engines found on the class path, asked at run time, so that a
 * new engine is listed without a word changed here. Validation is the {@code engine} setting's.
 */
final class EngineNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return EngineChoice.names().iterator();
    }
}
