package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import java.time.Duration;

/**
 * What one scenario request may cost, the HTTP API's and the command line's alike: its steps, the
 * kernel log events its kernel may write, its wall time, and the size of its result as JSON. A
 * comparison is one request: its runs share one budget (their events, time and results together).
 * The defaults let every built-in scenario and the README's examples run unchanged, a hundred times
 * over; a run over any of them ends with a {@link ScenarioOverrun} that names it.
 *
 * <p>Events are what a run's cost grows with: each timer expiry and work run writes one or more, and
 * the result carries all of them. So the event budget also sizes the run's kernel log, and a run can
 * neither loop without end nor hold more than that many events in memory.
 *
 * @param maxSteps       steps a scenario may have (at most {@link Scenario#MAX_STEPS}, what parsing takes)
 * @param maxEvents      kernel log events the request's runs may write together
 * @param maxWallTime    real time the request may take, from its first step to its result
 * @param maxResultBytes bytes of the request's results as JSON, together
 */
public record ScenarioBudget(int maxSteps, int maxEvents, Duration maxWallTime, long maxResultBytes) {

    public static final ScenarioBudget DEFAULTS = new ScenarioBudget(10_000, 100_000, Duration.ofSeconds(10),
            16L * 1024 * 1024);

    /** Above this the event log alone (one slot per event) would be a memory risk of its own. */
    static final int EVENTS_CEILING = 10_000_000;

    public ScenarioBudget {
        if (maxSteps < 1 || maxSteps > Scenario.MAX_STEPS) {
            throw new IllegalArgumentException("the steps budget must be between 1 and " + Scenario.MAX_STEPS
                    + ", was " + maxSteps);
        }
        if (maxEvents < 16 || maxEvents > EVENTS_CEILING) {
            throw new IllegalArgumentException("the events budget must be between 16 and " + EVENTS_CEILING
                    + ", was " + maxEvents);
        }
        if (maxWallTime.isNegative() || maxWallTime.isZero()) {
            throw new IllegalArgumentException("the wall-time budget must be positive, was " + maxWallTime);
        }
        if (maxResultBytes < 1024) {
            throw new IllegalArgumentException("the result-size budget must be at least 1024 bytes, was " + maxResultBytes);
        }
    }

    /** The budgets, by the name a problem and the settings give them, and the errno of running over each. */
    public enum Kind {
        STEPS("steps", Errno.E2BIG),
        EVENTS("events", Errno.E2BIG),
        WALL_TIME("wall-time", Errno.ETIMEDOUT),
        RESULT_BYTES("result-bytes", Errno.E2BIG);

        private final String wireName;
        private final Errno errno;

        Kind(String wireName, Errno errno) {
            this.wireName = wireName;
            this.errno = errno;
        }

        public String wireName() {
            return wireName;
        }

        public Errno errno() {
            return errno;
        }
    }

    /** This budget's limit of the given kind, in its own unit (steps, events, milliseconds, bytes). */
    public long limit(Kind kind) {
        return switch (kind) {
            case STEPS -> maxSteps;
            case EVENTS -> maxEvents;
            case WALL_TIME -> maxWallTime.toMillis();
            case RESULT_BYTES -> maxResultBytes;
        };
    }
}
