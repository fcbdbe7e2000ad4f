package dev.novahost;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.novacore.DriverObjects;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.NovaCore;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.ObjectTable;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

    /**
     * The kernel's root package is its vocabulary (clock, errno, the exception, wire words), which every
     * subsystem imports: it imports none of them back, nova-core least of all, so no subsystem depends on
     * the driver through it.
     */
    @Test
    void kernelRootTypesImportNoSubsystem() {
        noClasses().that().resideInAPackage("dev.novahost.kernel")
                .should().dependOnClassesThat().resideInAnyPackage("dev.novahost.kernel.novacore..")
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.novahost.kernel.(*)..")
                .check(classes);
    }

    /** The kernel's subsystems form layers: no two packages import each other, however indirectly. */
    @Test
    void kernelPackagesFormNoCircle() {
        slices().matching("dev.novahost.kernel.(*)..").should().beFreeOfCycles().check(classes);
    }

    /** The machine (the core with nova-core built in) wires the subsystems; none of them knows it. */
    @Test
    void onlyTheMachineKnowsTheMachine() {
        noClasses().that().resideInAPackage("dev.novahost.kernel..")
                .and().resideOutsideOfPackage("dev.novahost.kernel.machine..")
                .should().dependOnClassesThat().resideInAPackage("dev.novahost.kernel.machine..")
                .check(classes);
    }

    /**
     * Subscribers match on the event records, never on their wire words: only the event model spells a
     * word, and only the adapters that write events out (the API's views, the scenario runner's result) read one.
     */
    @Test
    void onlyTheWireAdaptersReadAnEventsTypeWord() {
        noClasses().that().resideOutsideOfPackage("dev.novahost.kernel.events..")
                .and().haveNameNotMatching("dev\\.novahost\\.api\\.(EventView|ViolationView.*)")
                .and().haveNameNotMatching("dev\\.novahost\\.scenario\\.ScenarioRunner.*")
                .should().callMethodWhere(describe("read an event's type word", call -> call.getName().equals("type")
                        && (call.getTargetOwner().isAssignableTo(KernelEvent.class)
                        || call.getTargetOwner().isEquivalentTo(LogEntry.class))))
                .check(classes);
    }

    /**
     * The event model is the kernel's shared vocabulary: it names what happened, not who reports it. Nor
     * does an event hold a function: a line kept in the ring or in a violation's timeline must keep words
     * and numbers alive, not a driver object (and through it a freed device) behind a lambda.
     */
    @Test
    void theEventModelDependsOnNoReporterOrSubscriber() {
        noClasses().that().resideInAPackage("dev.novahost.kernel.events..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.novahost.kernel.novacore..",
                        "dev.novahost.kernel.sanitizer..", "dev.novahost.journal..", "dev.novahost.scenario..")
                .orShould().dependOnClassesThat().belongToAnyOf(java.util.function.Supplier.class,
                        java.util.function.Function.class)
                .check(classes);
    }

    /**
     * No event-type word ({@code "timer.fired"}) is spelled outside the event model. The journal's codec
     * is the one exception: its operation words are its own file format, fixed by the journals already on
     * disk, and some happen to read like event words.
     */
    @Test
    void eventTypeWordsAreSpelledOnlyInTheEventModel() throws IOException {
        var word = Pattern.compile("\"(pci|module|driver|devres|timer|work|file|irq|host|journal|violation|task)\\.(?!jsonl\")[a-z-]+\"");
        var root = Path.of("src/main/java/dev/novahost");
        try (Stream<Path> sources = Files.walk(root)) {
            var spelled = sources.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(root.resolve("kernel/events")))
                    .filter(p -> !p.endsWith("journal/JournalCodec.java"))
                    .flatMap(p -> lines(p).filter(line -> word.matcher(line).find()).map(line -> p + ": " + line.strip()))
                    .toList();
            assertThat(spelled).as("event-type words outside kernel/events").isEmpty();
        }
    }

    private static Stream<String> lines(Path source) {
        try {
            return Files.readAllLines(source).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
