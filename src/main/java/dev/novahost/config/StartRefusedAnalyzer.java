package dev.novahost.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Spring Boot's way to turn a failed start into a reason instead of a trace (as it does for a port in
 * use): the {@link StartRefused} anywhere in the cause chain is reported alone, and the trace is logged
 * only at DEBUG.
 */
public final class StartRefusedAnalyzer extends AbstractFailureAnalyzer<StartRefused> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, StartRefused cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
