package dev.novahost.kernel.sanitizer;

import java.util.List;

/**
 * One page of the kept violation groups, by id: the groups, whether more match after the last one,
 * how many kept groups match in all, and how many reports since the last reset were counted but not
 * kept because the store was full (the "callbacks suppressed" of the store).
 */
public record ViolationPage(List<Violation> violations, boolean more, long total, long dropped) {

    public ViolationPage {
        violations = List.copyOf(violations);
    }
}
