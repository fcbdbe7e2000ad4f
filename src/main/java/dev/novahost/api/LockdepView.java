package dev.novahost.api;

import dev.novahost.kernel.lockdep.CircularDependency;
import dev.novahost.kernel.lockdep.Dependency;
import dev.novahost.kernel.lockdep.LockClass;
import dev.novahost.kernel.lockdep.Lockdep;
import java.util.Comparator;
import java.util.List;

/**
 * Lockdep's state: {@code enabled} ({@code CONFIG_PROVE_LOCKING}), the classes by name, every order
 * {@code before → after} with the task that first made it and where each lock was taken, and the cycles
 * found in the order first seen, each with its classes (from the one being taken), its report lines and
 * how many times it was seen.
 */
record LockdepView(boolean enabled, List<String> classes, List<DependencyView> dependencies, List<CycleView> cycles) {

    record DependencyView(String before, String after, String task, String heldAt, String takenAt) {
        static DependencyView of(Dependency d) {
            return new DependencyView(d.before().name(), d.after().name(), d.task(), d.heldAt(), d.takenAt());
        }
    }

    record CycleView(String task, boolean recursive, List<String> classes, List<String> report, long times) {
        static CycleView of(Lockdep.Found found) {
            CircularDependency first = found.first();
            return new CycleView(first.task(), first.isRecursive(), first.cycle().stream().map(LockClass::name).toList(),
                    first.report(), found.times());
        }
    }

    static LockdepView of(Lockdep lockdep) {
        var dependencies = lockdep.dependencies().stream()
                .sorted(Comparator.comparing((Dependency d) -> d.before().name()).thenComparing(d -> d.after().name()))
                .map(DependencyView::of).toList();
        return new LockdepView(lockdep.enabled(), lockdep.classes().stream().map(LockClass::name).toList(), dependencies,
                lockdep.found().stream().map(CycleView::of).toList());
    }
}
