package dev.novahost.config;

import dev.novahost.journal.Journal;
import dev.novahost.scenario.ScenarioBudget;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;

/**
 * nova-host's settings ({@code nova.*} in application.properties, or {@code NOVA_*} in the environment).
 *
 * @param maxDevices    devices the host accepts before {@code ENOSPC}
 * @param loadNovaCore  load the nova-core module at start
 * @param maxRangeRead  registers one range read may return before {@code E2BIG}
 * @param fleet         devices a fresh host starts with: {@code CHIPSET[@DDDD:BB:DD.F]}, see {@link Fleet}
 * @param scenarioMaxSteps       steps one scenario may have ({@link ScenarioBudget}; the defaults are its own)
 * @param scenarioMaxEvents      kernel log events one scenario request may write
 * @param scenarioMaxWallTime    real time one scenario request may take
 * @param scenarioMaxResultBytes bytes of one scenario request's results as JSON
 * @param scenarioConcurrentRuns scenario requests that may run at once; past them 503 {@code EAGAIN}
 * @param headerTimeout time a connection has to send a whole request head, from its opening or its last
 *                      answer (see {@link ConnectorConfiguration})
 * @param maxConnectionsPerClient connections one client address may hold open; 0 for no cap
 * @param allowedHosts  names besides loopback's a request's {@code Host} may give, see {@code HostNames}
 * @param journalSegmentBytes how much the journal grows at a time, zero-filled ahead of the records; half
 *                      of it is kept free before a change is accepted
 * @param journalRecover what a journal damaged in its middle gets at start: {@code none} refuses to start,
 *                      {@code truncate} keeps a copy aside and cuts the journal before the damage
 * @param maxTasks      tasks (unbinds, unloads, unplugs) remembered for {@code GET /api/v1/tasks}; past it
 *                      the oldest done ones are forgotten
 * @param maxRunningTasks tasks running at once; one more is refused with {@code EAGAIN}
 * @param taskWait      how long an unbind, unload or unplug waits for its task when {@code ?wait=} is absent,
 *                      before it answers {@code 202} with the task
 * @param taskWaitMax   the longest {@code ?wait=} a request may ask for
 * @param hungTask      khungtaskd's settings, {@code nova.hung-task.*}
 */
@ConfigurationProperties("nova")
public record NovaProperties(@DefaultValue("256") int maxDevices,
                             @DefaultValue("false") boolean loadNovaCore,
                             @DefaultValue("1024") int maxRangeRead,
                             @DefaultValue("16") int maxSubscribers,
                             @DefaultValue("4096") int subscriberBacklog,
                             @DefaultValue("15s") Duration subscriberHeartbeat,
                             @DefaultValue("data") String dataDir,
                             @DefaultValue("1000") int journalCompactEvery,
                             @DefaultValue("10000") int maxTimersPerDevice,
                             @DefaultValue("10000") int maxWorkPerDevice,
                             @DefaultValue("1024") int maxFilesPerDevice,
                             @DefaultValue("1048576") int maxBodyBytes,
                             @DefaultValue("5000") int requestsPerSecond,
                             @DefaultValue("20s") Duration headerTimeout,
                             @DefaultValue("128") int maxConnectionsPerClient,
                             @DefaultValue("") String viewerToken,
                             @DefaultValue("") String operatorToken,
                             @DefaultValue("token") String auth,
                             @DefaultValue("false") boolean requireToken,
                             @DefaultValue("") List<String> allowedHosts,
                             @DefaultValue("") List<String> fleet,
                             @DefaultValue("10000") int scenarioMaxSteps,
                             @DefaultValue("100000") int scenarioMaxEvents,
                             @DefaultValue("10s") Duration scenarioMaxWallTime,
                             @DefaultValue("16777216") long scenarioMaxResultBytes,
                             @DefaultValue("2") int scenarioConcurrentRuns,
                             @DefaultValue("1048576") int journalSegmentBytes,
                             @DefaultValue("none") Journal.Recovery journalRecover,
                             @DefaultValue("256") int maxTasks,
                             @DefaultValue("64") int maxRunningTasks,
                             @DefaultValue("5s") Duration taskWait,
                             @DefaultValue("60s") Duration taskWaitMax,
                             @DefaultValue HungTask hungTask) {

    /**
     * The hung-task detector's settings ({@code nova.hung-task.*}, {@code NOVA_HUNGTASK_*}), the kernel's
     * sysctls: checked at start by {@code KernelConfiguration}.
     *
     * @param timeout  {@code hung_task_timeout_secs}: a task blocked this long is reported, and again every
     *                 timeout; whole seconds (a bare number is seconds), 0 turns the detector off
     * @param warnings {@code hung_task_warnings}: reports before the rest are suppressed; -1 for no limit
     * @param panic    {@code hung_task_panic}: the first report marks the host panicked until a reset
     */
    public record HungTask(@DefaultValue("120s") @DurationUnit(ChronoUnit.SECONDS) Duration timeout,
                           @DefaultValue("10") int warnings,
                           @DefaultValue("false") boolean panic) {
    }

    /** What one scenario request may cost. */
    public ScenarioBudget scenarioBudget() {
        return new ScenarioBudget(scenarioMaxSteps, scenarioMaxEvents, scenarioMaxWallTime, scenarioMaxResultBytes);
    }

    /** Whether any token is configured: then every API call must carry one. */
    public boolean tokensConfigured() {
        return !viewerToken.isBlank() || !operatorToken.isBlank();
    }
}
