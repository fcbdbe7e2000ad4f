package dev.novahost;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.novacore.DriverObjects;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.NovaCore;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.ObjectTable;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciAddress;
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

    /**
     * A controller takes the kernel services of its feature ({@code Devices}, {@code Modules}, {@code DriverCore},
     * {@code MmioService}, {@code TimerService}, ...), never the whole machine or nova-core's wiring to reach
     * through: its constructor is the list of what it may touch. Only the host's controller holds the
     * {@code Kernel}, because a reset and the host summary are about the whole machine.
     */
    @Test
    void controllersDependOnlyOnKernelServices() {
        noClasses().that().resideInAPackage("dev.novahost.api")
                .and().haveSimpleNameEndingWith("Controller")
                .and().doNotHaveSimpleName("HostController")
                .should().dependOnClassesThat().belongToAnyOf(Kernel.class, NovaCore.class)
                .check(classes);
    }

    /**
     * The controllers of nova-core's objects and registers go through their kernel services alone
     * ({@code TimerService}, {@code WorkService}, {@code FileService}, {@code MmioService}), not through the
     * driver, its objects and their table, or {@code Kernel}'s own shortcuts to them.
     */
    @Test
    void objectAndRegisterControllersUseOnlyTheirKernelServices() {
        noClasses().that().haveNameMatching("dev\\.novahost\\.api\\.(Timer|Work|File|Device)Controller")
                .should().callMethod(Kernel.class, "novaCoreObjects")
                .orShould().callMethod(Kernel.class, "armTimer", PciAddress.class, DriverTimer.Spec.class)
                .orShould().callMethod(Kernel.class, "queueWork", PciAddress.class, DriverWork.Spec.class)
                .orShould().callMethod(Kernel.class, "openFile", PciAddress.class)
                .orShould().dependOnClassesThat().belongToAnyOf(NovaCoreDriver.class, DriverObjects.class, ObjectTable.class)
                .check(classes);
    }
}
