package dev.novahost.scenario;

/** A scenario that cannot run as written: which step (or -1 for the scenario itself), and why. */
public final class ScenarioException extends RuntimeException {

    private final int step;

    public ScenarioException(int step, String message) {
        super(step < 0 ? message : "step " + step + ": " + message, null, false, false);
        this.step = step;
    }

    public int step() {
        return step;
    }
}
