package dev.novahost.config;

import dev.novahost.api.ApiLimits;
import dev.novahost.journal.Journal;
import dev.novahost.journal.JournalFiles;
import dev.novahost.journal.Journaling;
import dev.novahost.journal.Replay;
import dev.novahost.journal.RequestJournaling;
import dev.novahost.kernel.Clock;
import dev.novahost.kernel.machine.Devices;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.machine.Modules;
import dev.novahost.kernel.machine.Teardown;
import dev.novahost.kernel.task.TaskLimits;
import dev.novahost.kernel.task.Tasks;
import dev.novahost.api.TaskWaits;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.novacore.FaultService;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.novacore.FileService;
import dev.novahost.kernel.novacore.MmioService;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.novacore.TimerService;
import dev.novahost.kernel.novacore.WorkService;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.metrics.KernelMeters;
import dev.novahost.metrics.EventMeters;
import dev.novahost.scenario.RunSlots;
import dev.novahost.scenario.ScenarioRunner;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The service runs one live kernel on real time, observed by Micrometer and journaled to disk; at
 * start the journal is replayed into it before any request is taken.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NovaProperties.class)
class KernelConfiguration {

    @Bean
    EventMeters eventMeters(MeterRegistry registry) {
        return new EventMeters(registry);
    }

    /**
     * A journal that cannot be opened stops the start with one line an operator can act on; {@code
     * JournalFiles} is the disk unless a test supplies one that fills up.
     */
    @Bean(destroyMethod = "close")
    Journal journal(NovaProperties properties, ObjectProvider<JournalFiles> files) {
        Path dir = Path.of(properties.dataDir()).toAbsolutePath();
        Journal.Settings settings;
        try {
            settings = new Journal.Settings(properties.journalCompactEvery(), properties.journalSegmentBytes(),
                    properties.journalRecover(), files.getIfAvailable(() -> JournalFiles.DISK));
        } catch (IllegalArgumentException e) {
            throw new StartRefused(e.getMessage(), "Set nova.journal-segment-bytes (NOVA_JOURNAL_SEGMENT_BYTES) to"
                    + " 4096 or more; the default is 1048576.");
        }
        try {
            return Journal.open(dir, settings);
        } catch (Journal.Damaged damaged) {
            throw new StartRefused(damaged.getMessage(), "Restore the data folder from a backup, or start once"
                    + " with nova.journal-recover=truncate (NOVA_JOURNAL_RECOVER=truncate): it keeps a copy of the file"
                    + " beside it and cuts the journal before line " + damaged.line() + ", losing the changes"
                    + " recorded from there on.");
        } catch (IOException e) {
            throw new StartRefused("The journal in " + dir + " cannot be opened: " + describe(e),
                    "Make nova.data-dir (NOVA_DATA_DIR) a folder nova-host can read and write, with "
                            + Journal.FILE + " in it a regular file.");
        }
    }

    private static TaskLimits taskLimits(NovaProperties properties) {
        try {
            return new TaskLimits(properties.maxTasks(), properties.maxRunningTasks());
        } catch (IllegalArgumentException e) {
            throw new StartRefused(e.getMessage(), "Set nova.max-running-tasks (NOVA_MAX_RUNNING_TASKS) to 1 or more"
                    + " and nova.max-tasks (NOVA_MAX_TASKS) to at least as many; the defaults are 64 and 256.");
        }
    }

    /** {@code nova.hung-task.*} as the detector's settings; nonsense stops the start with what to set instead. */
    static HungTaskDetector.Settings hungTaskSettings(NovaProperties.HungTask hungTask) {
        var timeout = hungTask.timeout();
        if (timeout.isNegative() || timeout.toNanosPart() != 0 || hungTask.warnings() < -1) {
            throw new StartRefused("The hung-task timeout must be 0 or whole seconds and its warnings -1 or more,"
                    + " not " + timeout.toMillis() + " ms and " + hungTask.warnings(),
                    "Set nova.hung-task.timeout (NOVA_HUNGTASK_TIMEOUT) to whole seconds, 0 to turn the detector off,"
                            + " and nova.hung-task.warnings (NOVA_HUNGTASK_WARNINGS) to -1 (no limit) or more;"
                            + " the defaults are 120s and 10.");
        }
        return new HungTaskDetector.Settings(timeout.toNanos(), hungTask.warnings(), hungTask.panic());
    }

    private static String describe(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> denied.getFile() + ": permission denied";
            case FileAlreadyExistsException exists -> exists.getFile() + " exists and is not a folder";
            case FileSystemException other -> other.getFile() + ": "
                    + Objects.requireNonNullElse(other.getReason(), other.getClass().getSimpleName());
            default -> e.getMessage();
        };
    }

    @Bean
    Journaling journaling(Journal journal) {
        return new Journaling(journal);
    }

    /** After the access filters: a refused request has changed nothing to journal. */
    @Bean
    FilterRegistrationBean<RequestJournaling> requestJournaling(Journaling journaling) {
        var registration = new FilterRegistrationBean<>(new RequestJournaling(journaling));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
        return registration;
    }

    @Bean
    Kernel kernel(NovaProperties properties, EventMeters metrics, Journal journal, Journaling journaling) {
        var limits = new ObjectLimits(properties.maxTimersPerDevice(), properties.maxWorkPerDevice(),
                properties.maxFilesPerDevice());
        var config = new KernelConfig(properties.maxDevices(), false, KernelConfig.DEFAULTS.timerThreads(),
                KernelConfig.DEFAULTS.eventLogCapacity(), limits, taskLimits(properties), KernelConfig.DEFAULTS.lockdep(),
                hungTaskSettings(properties.hungTask()));
        var kernel = new Kernel(config, Clock.system(), List.of(metrics, journaling));
        var fleet = Fleet.parse(properties.fleet());
        Replay.run(kernel, journal, journaling);
        if (journal.records().isEmpty()) {
            // a fresh host: configuration seeds it; afterwards the journal remembers what users changed
            try {
                journal.reserve();
                if (properties.loadNovaCore()) {
                    kernel.load("nova-core");
                }
                fleet.plugInto(kernel);
            } catch (Journal.JournalException notRecorded) {
                kernel.close();
                throw new StartRefused("The fresh host's configuration could not be recorded: "
                        + notRecorded.getMessage(), "Free space in the data folder (nova.data-dir), then start again.");
            }
        }
        return kernel;
    }

    // --- the kernel's services, one per feature: each controller takes only those it uses -------------

    @Bean
    Devices devices(Kernel kernel) {
        return kernel.devices();
    }

    @Bean
    Modules modules(Kernel kernel) {
        return kernel.moduleService();
    }

    /** Bindings and policies: sysfs bind/unbind. */
    @Bean
    DriverCore driverCore(Kernel kernel) {
        return kernel.driverCore();
    }

    /** Tasks: the operations a request may stop waiting for. */
    @Bean
    Tasks tasks(Kernel kernel) {
        return kernel.tasks();
    }

    /** Unbind, unload and unplug as tasks. */
    @Bean
    Teardown teardown(Kernel kernel) {
        return kernel.teardown();
    }

    /** The lock validator: its classes, orders and cycles, read by {@code GET /api/v1/lockdep}. */
    @Bean
    Lockdep lockdep(Kernel kernel) {
        return kernel.lockdep();
    }

    /** How long those routes wait for their task ({@code ?wait=}). */
    @Bean
    TaskWaits taskWaits(NovaProperties properties) {
        try {
            return new TaskWaits(properties.taskWait(), properties.taskWaitMax());
        } catch (IllegalArgumentException e) {
            throw new StartRefused(e.getMessage(), "Set nova.task-wait (NOVA_TASK_WAIT) between 0 and"
                    + " nova.task-wait-max (NOVA_TASK_WAIT_MAX); the defaults are 5s and 60s.");
        }
    }

    @Bean
    FirmwareStore firmwareStore(Kernel kernel) {
        return kernel.firmware();
    }

    @Bean
    FaultService faultService(Kernel kernel) {
        return kernel.faultService();
    }

    @Bean
    MmioService mmioService(Kernel kernel) {
        return kernel.mmio();
    }

    @Bean
    TimerService timerService(Kernel kernel) {
        return kernel.timers();
    }

    @Bean
    WorkService workService(Kernel kernel) {
        return kernel.work();
    }

    @Bean
    FileService fileService(Kernel kernel) {
        return kernel.files();
    }

    @Bean
    EventLog eventLog(Kernel kernel) {
        return kernel.log();
    }

    @Bean
    Sanitizer sanitizer(Kernel kernel) {
        return kernel.sanitizer();
    }

    @Bean
    KernelMeters kernelMeters(Kernel kernel) {
        return new KernelMeters(kernel);
    }

    @Bean
    RunSlots scenarioRunSlots(NovaProperties properties) {
        return new RunSlots(properties.scenarioConcurrentRuns());
    }

    /** Scenario runs, each in a kernel of its own, held to the configured budget and run slots. */
    @Bean
    ScenarioRunner scenarioRunner(NovaProperties properties, RunSlots slots) {
        return new ScenarioRunner(properties.scenarioBudget(), slots);
    }

    @Bean
    ApiLimits apiLimits(NovaProperties properties) {
        return new ApiLimits(properties.maxRangeRead(), properties.maxSubscribers(), properties.subscriberBacklog(),
                properties.subscriberHeartbeat());
    }
}
