package dev.novahost.reliability;

import static dev.novahost.reliability.LinearizabilityCheck.iterations;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.ModuleCode;
import dev.novahost.kernel.module.ModuleRef;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.module.UnloadMode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * The module refcount ({@code try_module_get} / {@code module_put} / {@code rmmod}): files open and
 * close on several threads while others load and unload in {@code pin} mode, and the {@link Module}
 * behaves as {@link Model}: a file opens only on a live module; an unload with files open fails with
 * {@code EWOULDBLOCK} and changes nothing; the refcount is the number of files open.
 *
 * <p>Each thread closes only files it opened itself (as a process closes its own fds), so the harness
 * hands nothing between threads that could race on its own. The {@code disassociate} unload is not
 * here: it drops references one by one while the module is {@code going} (new opens already refused,
 * old files still closable), a state the one-step model does not have; the randomized stress test
 * checks its end state. Lincheck needs the class public.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class ModuleRefcountLinearizabilityTest {

    /** Lincheck's thread ids: one per parallel thread, plus the init and post parts. */
    private static final int THREAD_IDS = 8;

    private final Module module = new Module("nova-core", new ModuleCode() {
        @Override
        public void init(ModuleText text) {
        }

        @Override
        public void exit() {
        }
    });
    /** Each thread's open files (their module references), newest first; only that thread touches its own. */
    private final List<Deque<ModuleRef>> filesOf = Stream.<Deque<ModuleRef>>generate(ArrayDeque::new)
            .limit(THREAD_IDS).toList();

    public ModuleRefcountLinearizabilityTest() {
        module.load();
    }

    /** {@code open}: takes a reference if the module is live. */
    @Operation
    public boolean open(@Param(name = "thread") int thread) {
        var ref = module.tryGet(() -> { });
        ref.ifPresent(filesOf.get(thread)::push);
        return ref.isPresent();
    }

    /** {@code close} of this thread's newest file; false if it has none. */
    @Operation
    public boolean close(@Param(name = "thread") int thread) {
        var ref = filesOf.get(thread).poll();
        if (ref == null) {
            return false;
        }
        ref.put();
        return true;
    }

    @Operation
    public String load() {
        return outcome(module::load);
    }

    @Operation
    public String unload() {
        return outcome(() -> module.unload(UnloadMode.PIN));
    }

    @Operation
    public int refcount() {
        return module.refcount();
    }

    private static String outcome(Runnable step) {
        try {
            step.run();
            return "ok";
        } catch (KernelException e) {
            return e.errno().name();
        }
    }

    /** The sequential specification: a live flag and how many files each thread has open. */
    public static class Model {
        private boolean live = true;
        private final int[] open = new int[THREAD_IDS];

        public boolean open(int thread) {
            if (live) {
                open[thread]++;
            }
            return live;
        }

        public boolean close(int thread) {
            if (open[thread] == 0) {
                return false;
            }
            open[thread]--;
            return true;
        }

        public String load() {
            if (live) {
                return "EEXIST";
            }
            live = true;
            return "ok";
        }

        public String unload() {
            if (!live) {
                return "ENOENT";
            }
            if (refcount() > 0) {
                return "EWOULDBLOCK";
            }
            live = false;
            return "ok";
        }

        public int refcount() {
            return Arrays.stream(open).sum();
        }
    }

    @Test
    void isLinearizable() throws Exception {
        SeparateJvm.run(ModuleRefcountLinearizabilityTest.class, "check");
    }

    /** Model checking explores interleavings; stress runs the real thing on real threads. */
    static void check() {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(iterations(5))
                .invocationsPerIteration(100).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(1)
                .check(ModuleRefcountLinearizabilityTest.class);
        new StressOptions().sequentialSpecification(Model.class).iterations(iterations(5))
                .invocationsPerIteration(1_000).threads(3).actorsPerThread(3)
                .check(ModuleRefcountLinearizabilityTest.class);
    }
}
