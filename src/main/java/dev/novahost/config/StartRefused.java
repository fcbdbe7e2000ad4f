package dev.novahost.config;

/**
 * The service will not start, for a reason an operator can act on (a setting, a file): the reason is
 * printed as one line in place of a stack trace ({@link StartRefusedAnalyzer}), and the process exits 1.
 */
public final class StartRefused extends RuntimeException {

    private final String action;

    /** {@code reason}: one sentence that names what is wrong; {@code action}: what the operator can do. */
    public StartRefused(String reason, String action) {
        super(reason);
        this.action = action;
    }

    public String action() {
        return action;
    }
}
