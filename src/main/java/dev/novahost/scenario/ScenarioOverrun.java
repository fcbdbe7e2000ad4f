package dev.novahost.scenario;

/**
 * A scenario request stopped because it went over its {@link ScenarioBudget}: which budget, its limit,
 * and how far the run had got. Nothing of the run is returned, not even in part.
 */
public final class ScenarioOverrun extends RuntimeException {

    /**
     * How far a run had got when it was stopped.
     *
     * @param step          the step it was at (the number of steps once it was past the last one)
     * @param virtualNs     its virtual time
     * @param events        the kernel log events the request had written
     * @param elapsedMillis the real time the request had taken
     * @param resultBytes   the bytes of results written (only once results are being written)
     */
    public record Progress(int step, long virtualNs, long events, long elapsedMillis, long resultBytes) {
    }

    private final ScenarioBudget.Kind budget;
    private final long limit;
    private final Progress reached;

    ScenarioOverrun(ScenarioBudget.Kind budget, long limit, Progress reached) {
        super(message(budget, limit, reached), null, false, false);
        this.budget = budget;
        this.limit = limit;
        this.reached = reached;
    }

    /** A request of many runs (an exploration) that took longer in all than its wall-time budget. */
    public static ScenarioOverrun wallTime(long limitMillis, long elapsedMillis) {
        return new ScenarioOverrun(ScenarioBudget.Kind.WALL_TIME, limitMillis, new Progress(0, 0, 0, elapsedMillis, 0));
    }

    public ScenarioBudget.Kind budget() {
        return budget;
    }

    /** The budget's limit, in its unit: steps, events, milliseconds or bytes. */
    public long limit() {
        return limit;
    }

    public Progress reached() {
        return reached;
    }

    private static String message(ScenarioBudget.Kind budget, long limit, Progress at) {
        String over = switch (budget) {
            case STEPS -> "the scenario has more steps than the steps budget of " + limit;
            case EVENTS -> "the run wrote more kernel log events than the events budget of " + limit;
            case WALL_TIME -> "the run took longer than the wall-time budget of " + limit + " ms";
            case RESULT_BYTES -> "the result is larger than the result-bytes budget of " + limit + " bytes";
        };
        return over + "; stopped at step " + at.step() + ", " + at.virtualNs() + " ns of virtual time, after "
                + at.events() + " events and " + at.elapsedMillis() + " ms";
    }
}
