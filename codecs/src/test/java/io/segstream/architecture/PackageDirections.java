package io.segstream.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.INTERFACES;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which of segstream's packages may use which: DESIGN.md's "Packages" table as allow-lists, one
 * rule per row, checked on bytecode (so a fully qualified name counts as much as an import). A
 * package not named here fails {@link #EVERY_CLASS_HAS_A_ROW}: a new package needs a row, here and
 * in DESIGN.md, before it may exist.
 *
 * <p>Each module's {@code PackageDirectionsTest} runs these rules ({@link #check}) on the main
 * classes it sees: its own and those of the modules it builds on ({@link MainClassesOnly}).
 * Libraries outside {@code io.segstream} are not restricted.
 */
public final class PackageDirections {
    private PackageDirections() {}

    private static final String OURS = "io.segstream..";

    // The modules below stream-app: schemas' generated types and codecs' packages.
    private static final String SCHEMAS = "io.segstream.schemas..";
    private static final String CODEC = "io.segstream.codec..";
    private static final String DATA = "io.segstream.data..";

    // stream-app's packages, as DESIGN.md's table names them.
    private static final String CLI = "io.segstream.cli..";
    private static final String CONFIG = "io.segstream.config..";
    private static final String TOPOLOGY = "io.segstream.topology..";
    private static final String SEGMENTATION = "io.segstream.segmentation..";
    private static final String INFERENCE = "io.segstream.inference";
    private static final String ONNX = "io.segstream.inference.onnx..";
    private static final String CRF = "io.segstream.crf..";
    private static final String MODEL = "io.segstream.model..";
    private static final String IMPORTCHECK = "io.segstream.importcheck..";
    private static final String EVAL = "io.segstream.eval..";
    private static final String VIEW = "io.segstream.view..";
    private static final String BROKER = "io.segstream.broker..";
    private static final String INGEST = "io.segstream.ingest..";
    private static final String EXPORT = "io.segstream.export..";
    private static final String METRICS = "io.segstream.metrics..";
    private static final String ASSETS = "io.segstream.assets..";

    // The benchmarks module.
    private static final String BENCH = "io.segstream.bench..";

    private static final String[] EVERY_PACKAGE = {SCHEMAS, CODEC, DATA, CLI, CONFIG, TOPOLOGY, SEGMENTATION,
        INFERENCE, ONNX, CRF, MODEL, IMPORTCHECK, EVAL, VIEW, BROKER, INGEST, EXPORT, METRICS, ASSETS, BENCH};

    /** The packages of the modules below stream-app, which every stream-app package but crf may use. */
    private static final String[] CODECS = {CODEC, SCHEMAS};

    static final ArchRule EVERY_CLASS_HAS_A_ROW = classes().that().resideInAPackage(OURS)
            .should().resideInAnyPackage(EVERY_PACKAGE)
            .because("every package has a row in DESIGN.md's \"Packages\" table and in PackageDirections");

    static final ArchRule SCHEMAS_USE_NOTHING_OF_OURS = row(SCHEMAS, "nothing of ours");

    static final ArchRule DATA_USES_NOTHING_OF_OURS = row(DATA, "nothing of ours");

    static final ArchRule CODEC_USES_SCHEMAS = row(CODEC, "schemas", SCHEMAS);

    static final ArchRule CLI_USES_EVERYTHING_BUT_THE_ENGINES = row(CLI, "everything but inference.onnx",
            allBut(ONNX));

    static final ArchRule CONFIG_USES_CRF_AND_INFERENCE_TYPES = row(CONFIG, "crf, inference (types), codecs",
            valueTypesIn(CRF, INFERENCE), CODECS);

    static final ArchRule TOPOLOGY_SEES_INTERFACES_OF_INFERENCE = row(TOPOLOGY,
            "segmentation, inference (interfaces), crf, config, metrics, broker, codecs",
            resideInAPackage(INFERENCE).and(INTERFACES), CODECS, SEGMENTATION, CRF, CONFIG, METRICS, BROKER);

    static final ArchRule SEGMENTATION_USES_INFERENCE_CRF_MODEL = row(SEGMENTATION, "inference, crf, model, codecs",
            CODECS, INFERENCE, CRF, MODEL);

    static final ArchRule INFERENCE_USES_MODEL = row(INFERENCE, "model, codecs", CODECS, MODEL);

    static final ArchRule ONNX_USES_INFERENCE = row(ONNX, "inference, codecs", CODECS, INFERENCE);

    static final ArchRule CRF_USES_NOTHING_OF_OURS = row(CRF, "nothing of ours");

    static final ArchRule MODEL_USES_ASSETS_AND_DATA = row(MODEL, "assets, data, codecs", CODECS, ASSETS, DATA);

    static final ArchRule IMPORTCHECK_USES_MODEL_INFERENCE_SEGMENTATION = row(IMPORTCHECK,
            "model, inference, segmentation, codecs", CODECS, MODEL, INFERENCE, SEGMENTATION);

    static final ArchRule EVAL_USES_SEGMENTATION = row(EVAL, "segmentation, codecs", CODECS, SEGMENTATION);

    static final ArchRule VIEW_USES_CONFIG_AND_CODECS = row(VIEW, "config, codecs", CODECS, CONFIG);

    static final ArchRule SUPPORT_PACKAGES_NEVER_USE_CLI = rows(
            new String[] {BROKER, INGEST, EXPORT, METRICS, ASSETS}, "as needed, never cli", allBut(CLI, ONNX));

    static final ArchRule BENCHMARKS_NEVER_USE_CLI = row(BENCH, "as needed, never cli", allBut(CLI, ONNX));

    private static final List<ArchRule> ALL = List.of(EVERY_CLASS_HAS_A_ROW, SCHEMAS_USE_NOTHING_OF_OURS,
            DATA_USES_NOTHING_OF_OURS, CODEC_USES_SCHEMAS, CLI_USES_EVERYTHING_BUT_THE_ENGINES,
            CONFIG_USES_CRF_AND_INFERENCE_TYPES, TOPOLOGY_SEES_INTERFACES_OF_INFERENCE,
            SEGMENTATION_USES_INFERENCE_CRF_MODEL, INFERENCE_USES_MODEL, ONNX_USES_INFERENCE, CRF_USES_NOTHING_OF_OURS,
            MODEL_USES_ASSETS_AND_DATA, IMPORTCHECK_USES_MODEL_INFERENCE_SEGMENTATION, EVAL_USES_SEGMENTATION,
            VIEW_USES_CONFIG_AND_CODECS, SUPPORT_PACKAGES_NEVER_USE_CLI, BENCHMARKS_NEVER_USE_CLI);

    /**
     * Checks every row on {@code classes}.
     *
     * @throws AssertionError naming each broken row and each dependency that breaks it
     */
    public static void check(final JavaClasses classes) {
        final List<String> reports = new ArrayList<>();
        for (final ArchRule rule : ALL) {
            final EvaluationResult result = rule.evaluate(classes);
            if (result.hasViolation()) {
                reports.add(result.getFailureReport().toString());
            }
        }
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " of " + ALL.size() + " package directions broken:\n"
                    + String.join("\n", reports));
        }
    }

    /**
     * Classes in {@code origin} depend on nothing of ours but their own package and {@code allowed}
     * (package identifiers or predicates).
     */
    private static ArchRule row(final String origin, final String says, final Object... allowed) {
        return rows(new String[] {origin}, says, allowed);
    }

    private static ArchRule rows(final String[] origins, final String says, final Object... allowed) {
        final List<String> packages = new ArrayList<>(Arrays.asList(origins));
        DescribedPredicate<JavaClass> ok = resideOutsideOfPackage(OURS);
        for (final Object a : allowed) {
            if (a instanceof String[] many) {
                packages.addAll(Arrays.asList(many));
            } else if (a instanceof String one) {
                packages.add(one);
            } else {
                @SuppressWarnings("unchecked")
                final DescribedPredicate<JavaClass> p = (DescribedPredicate<JavaClass>) a;
                ok = ok.or(p);
            }
        }
        ok = ok.or(resideInAnyPackage(packages.toArray(String[]::new)));
        return classes().that().resideInAnyPackage(origins)
                .should().onlyDependOnClassesThat(ok.as("are outside io.segstream or in " + says))
                .because("DESIGN.md's \"Packages\" table says " + String.join(", ", origins) + " may use " + says)
                .allowEmptyShould(true);
    }

    /** Every package of ours but {@code excluded}. */
    private static String[] allBut(final String... excluded) {
        return Stream.of(EVERY_PACKAGE).filter(p -> !Arrays.asList(excluded).contains(p)).toArray(String[]::new);
    }

    /** Records, enums and interfaces (values and contracts, no machinery) in {@code packages}. */
    private static DescribedPredicate<JavaClass> valueTypesIn(final String... packages) {
        return resideInAnyPackage(packages).and(DescribedPredicate.describe("records, enums or interfaces",
                c -> c.isRecord() || c.isEnum() || c.isInterface()));
    }

    /**
     * Main classes only: not the test classes of this module ({@code target/test-classes}) nor of
     * another one (the codecs test-jar, {@code *-tests.jar}).
     */
    public static final class MainClassesOnly implements ImportOption {
        private static final ImportOption NOT_TESTS = new DoNotIncludeTests();

        @Override
        public boolean includes(final Location location) {
            return NOT_TESTS.includes(location) && !location.matches(java.util.regex.Pattern.compile(".*-tests\\.jar.*"));
        }
    }
}
