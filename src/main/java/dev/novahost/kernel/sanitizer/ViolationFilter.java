package dev.novahost.kernel.sanitizer;

import java.util.Optional;

/** Which violation groups a reader wants: each present criterion must match, an absent one matches all. */
public record ViolationFilter(Optional<ViolationKind> kind, Optional<Outcome> outcome, Optional<String> device) {

    public static final ViolationFilter ALL = new ViolationFilter(Optional.empty(), Optional.empty(), Optional.empty());

    public boolean matches(Violation v) {
        return kind.map(k -> k == v.kind()).orElse(true)
                && outcome.map(o -> o == v.outcome()).orElse(true)
                && device.map(d -> d.equals(v.device())).orElse(true);
    }
}
