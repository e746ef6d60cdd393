package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The defaults of segstream's settings as help text reads them: {@code ${bundle:default.KEY}} in a
 * picocli description is the default {@link SegstreamConfig#CONFIG} declares for setting
 * {@code KEY}, so that a help text never restates a value the declaration holds.
 *
 * <p>A resource bundle because that is where picocli's help looks values up
 * ({@code @Command(resourceBundle = ...)} on {@link SegstreamCommand}, which every verb inherits);
 * it holds only {@code default.*} keys, so picocli's own keys (option descriptions, usage sections)
 * are not touched. Public, with a public constructor, for {@link java.util.ResourceBundle#getBundle}.
 */
public final class SettingDefaults extends java.util.ResourceBundle {
    /** The prefix of this bundle's keys: {@code default.batch.max.size} is batch.max.size's default. */
    private static final String PREFIX = "default.";

    private static final Map<String, String> DEFAULTS = SegstreamConfig.CONFIG.defaultValues().entrySet().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(e -> PREFIX + e.getKey(), e -> String.valueOf(e.getValue()), (a, b) -> a,
                    TreeMap::new));

    /** For {@link java.util.ResourceBundle#getBundle}; the values come from the declaration. */
    public SettingDefaults() {}

    @Override
    protected Object handleGetObject(final String key) {
        return DEFAULTS.get(key);
    }

    @Override
    protected Set<String> handleKeySet() {
        return DEFAULTS.keySet();
    }

    @Override
    public Enumeration<String> getKeys() {
        return Collections.enumeration(DEFAULTS.keySet());
    }
}
