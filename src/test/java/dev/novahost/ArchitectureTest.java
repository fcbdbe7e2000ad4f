package dev.novahost;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.novahost.kernel.pci.BoundDevice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rooms of the house: the simulated kernel is plain Java and knows nothing of who drives it. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.novahost");
    }

    @Test
    void kernelImportsNothingFromSpringTheWebOrMetrics() {
        noClasses().that().resideInAPackage("dev.novahost.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.springframework..", "jakarta.servlet..", "io.micrometer..", "tools.jackson..",
                        "com.fasterxml..", "dev.novahost.api..", "dev.novahost.metrics..", "dev.novahost.config..")
                .check(classes);
    }

    @Test
    void onlyTheDriverCoreMintsBoundDeviceProofs() {
        noClasses().that().resideOutsideOfPackage("dev.novahost.kernel.driver..")
                .should().callConstructor(BoundDevice.class, dev.novahost.kernel.pci.PciDevice.class)
                .check(classes);
    }

    @Test
    void metricsAndKernelDoNotDependOnTheWebLayer() {
        noClasses().that().resideInAnyPackage("dev.novahost.metrics..", "dev.novahost.kernel..")
                .should().dependOnClassesThat().resideInAPackage("dev.novahost.api..")
                .check(classes);
    }
}
