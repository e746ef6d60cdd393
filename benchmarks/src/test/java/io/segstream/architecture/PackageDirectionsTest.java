package io.segstream.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;

/** DESIGN.md's package directions ({@link PackageDirections}) on the main classes of benchmarks and the modules below it. */
@AnalyzeClasses(packages = "io.segstream", importOptions = PackageDirections.MainClassesOnly.class)
class PackageDirectionsTest {
    // A method, not an ArchRule field: Surefire 3.5.3 does not run @ArchTest fields (TNG/ArchUnit#1442).
    @ArchTest
    void shouldKeepEveryPackageToItsRowOfTheDesignTable(final JavaClasses classes) {
        PackageDirections.check(classes);
    }
}
