package dev.novahost.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loadable module: text generations, {@code try_module_get}/{@code module_put}, and the three ways
 * to unload while references are held (DESIGN.md §3).
 */
class ModuleTest {

    /** module_init / module_exit that log what ran; exit may also run a test's check while {@code going}. */
    static final class RecordingCode implements ModuleCode {
        final List<String> log = new CopyOnWriteArrayList<>();
        final AtomicReference<Runnable> duringExit = new AtomicReference<>(() -> { });

        @Override
        public void init(ModuleText text) {
            log.add("init " + text.generation());
        }

        @Override
        public void exit() {
            duringExit.get().run();
            log.add("exit");
        }
    }

    private final RecordingCode code = new RecordingCode();
    private final Module module = new Module("nova-core", code);
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        var t = new Thread(r, "module-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static void expectErrno(ThrowingCallable call, Errno errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(KernelException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    private ModuleRef get(Runnable disassociate) {
        return module.tryGet(disassociate).orElseThrow();
    }

    private ModuleRef get() {
        return get(() -> { });
    }

    @Test
    void eachLoadIsANewTextGeneration() {
        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
        assertThat(module.generation()).isZero();
        assertThat(module.liveText()).isEmpty();

        module.load();
        var first = module.liveText().orElseThrow();
        module.unload(UnloadMode.PIN);
        module.load();
        var second = module.liveText().orElseThrow();

        assertThat(module.generation()).isEqualTo(2);
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.isFreed()).isTrue();
        assertThat(second.generation()).isEqualTo(2);
        assertThat(second.isFreed()).isFalse();
        assertThat(code.log).containsExactly("init 1", "exit", "init 2");
    }

    @Test
    void loadingALoadedModuleIsEexistAndChangesNothing() {
        module.load();

        expectErrno(module::load, Errno.EEXIST);

        assertThat(module.generation()).isEqualTo(1);
        assertThat(code.log).containsExactly("init 1");
    }

    @Test
    void unloadingAnUnloadedModuleIsEnoent() {
        expectErrno(() -> module.unload(UnloadMode.PIN), Errno.ENOENT);
        expectErrno(() -> module.unload(UnloadMode.FORCE), Errno.ENOENT);
    }

    @Test
    void aFailedInitLeavesTheModuleUnloadedWithItsTextFreed() {
        var failing = new Module("broken", new ModuleCode() {
            @Override
            public void init(ModuleText text) {
                throw KernelException.of(Errno.ENOMEM, "init failed");
            }

            @Override
            public void exit() {
            }
        });

        expectErrno(failing::load, Errno.ENOMEM);

        assertThat(failing.state()).isEqualTo(ModuleState.UNLOADED);
        assertThat(failing.tryGet(() -> { })).isEmpty();
    }

    @Test
    void referencesAreCountedAndDroppingTwiceIsHarmless() {
        module.load();

        var a = get();
        var b = get();
        assertThat(module.refcount()).isEqualTo(2);
        assertThat(a.text()).isSameAs(module.liveText().orElseThrow());

        a.put();
        a.put();
        assertThat(module.refcount()).isEqualTo(1);
        b.put();
        assertThat(module.refcount()).isZero();
    }

    @Test
    void noReferenceOnAnUnloadedModule() {
        assertThat(module.tryGet(() -> { })).isEmpty();

        module.load();
        module.unload(UnloadMode.PIN);

        assertThat(module.tryGet(() -> { })).isEmpty();
        assertThat(module.refcount()).isZero();
    }

    @Test
    void noReferenceOnAGoingModule() {
        module.load();
        var seenWhileGoing = new AtomicReference<Optional<ModuleRef>>();
        var stateWhileGoing = new AtomicReference<ModuleState>();
        code.duringExit.set(() -> {
            stateWhileGoing.set(module.state());
            seenWhileGoing.set(module.tryGet(() -> { }));
        });

        module.unload(UnloadMode.PIN);

        assertThat(stateWhileGoing).hasValue(ModuleState.GOING);
        assertThat(seenWhileGoing.get()).isEmpty();
        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
    }

    @Test
    void pinnedUnloadWithAReferenceHeldIsEwouldblockAndChangesNothing() {
        module.load();
        var ref = get();
        var text = module.liveText().orElseThrow();

        assertThatThrownBy(() -> module.unload(UnloadMode.PIN))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EWOULDBLOCK))
                .hasMessageContaining("in use");

        assertThat(module.state()).isEqualTo(ModuleState.LIVE);
        assertThat(module.refcount()).isEqualTo(1);
        assertThat(module.generation()).isEqualTo(1);
        assertThat(module.liveText()).containsSame(text);
        assertThat(text.isFreed()).isFalse();
        assertThat(code.log).containsExactly("init 1");

        ref.put();
        module.unload(UnloadMode.PIN);
        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
    }

    @Test
    void disassociatingUnloadDisconnectsEveryHolderBeforeModuleExit() {
        module.load();
        var first = get(() -> code.log.add("disassociate first"));
        var second = get(() -> code.log.add("disassociate second"));
        var alreadyClosed = get(() -> code.log.add("disassociate closed"));
        alreadyClosed.put();

        module.unload(UnloadMode.DISASSOCIATE);

        assertThat(code.log).containsExactly("init 1", "disassociate first", "disassociate second", "exit");
        assertThat(module.refcount()).isZero();
        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
        assertThat(first.text().isFreed()).isTrue();
        second.put(); // the holder closes later: nothing left to drop
        assertThat(module.refcount()).isZero();
    }

    /**
     * A file that closes while a disassociating unload walks the holders has dropped its reference;
     * it must not then be told to disconnect. The first holder's disassociate closes the second
     * holder's file, deterministically placing that close between the unload's snapshot and its call.
     */
    @Test
    void aHolderThatClosedDuringADisassociatingUnloadIsNotDisconnected() {
        module.load();
        var second = new AtomicReference<ModuleRef>();
        get(() -> {
            code.log.add("disassociate first");
            second.get().put(); // meanwhile, the second file is closed by its owner
        });
        second.set(get(() -> code.log.add("disassociate second")));

        module.unload(UnloadMode.DISASSOCIATE);

        assertThat(code.log).containsExactly("init 1", "disassociate first", "exit");
        assertThat(module.refcount()).isZero();
    }

    @Test
    void forcedUnloadLeavesHoldersPointingIntoFreedText() {
        module.load();
        var stale = get(() -> code.log.add("disassociate"));

        module.unload(UnloadMode.FORCE);

        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
        assertThat(module.refcount()).isZero();
        assertThat(stale.text().isFreed()).as("exec_after_unload territory").isTrue();
        assertThat(code.log).as("nobody was disassociated").containsExactly("init 1", "exit");

        module.load();
        var fresh = get();
        stale.put();

        assertThat(module.refcount()).as("the stale put does not touch the new generation's count").isEqualTo(1);
        assertThat(fresh.text().generation()).isEqualTo(2);
        assertThat(fresh.text().isFreed()).isFalse();
        fresh.put();
        assertThat(module.refcount()).isZero();
    }

    /**
     * Openers call {@code try_module_get} in a loop, keeping some references and dropping others, while
     * another thread unloads in disassociate mode. A reference is either taken on live text or not at
     * all; every kept one is disassociated; and the count ends at zero.
     */
    @Test
    void openersRacingADisassociatingUnloadNeverHoldALiveReferenceAfterward() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int round = 0; round < 50; round++) {
                raceOneUnload();
            }
        });
    }

    private void raceOneUnload() throws Exception {
        int openers = 4;
        var failures = new ConcurrentLinkedQueue<String>();
        if (module.state() == ModuleState.UNLOADED) {
            module.load();
        }
        record Held(ModuleRef ref, AtomicBoolean disassociated) { }
        var kept = new ConcurrentLinkedQueue<Held>();
        var refsTaken = new AtomicInteger();
        var ready = new CountDownLatch(openers);
        var go = new CountDownLatch(1);
        var workers = new ArrayList<Future<?>>();
        for (int i = 0; i < openers; i++) {
            workers.add(threads.submit(() -> {
                ready.countDown();
                go.await();
                for (int n = 0; ; n++) {
                    var disassociated = new AtomicBoolean();
                    var ref = module.tryGet(() -> disassociated.set(true));
                    if (ref.isEmpty()) {
                        return null;
                    }
                    // Freed text is legal only if unload already disconnected this holder (it frees after).
                    if (ref.get().text().isFreed() && !disassociated.get()) {
                        failures.add("a reference was taken on freed text " + ref.get().text());
                    }
                    refsTaken.incrementAndGet();
                    if (n % 2 == 0) {
                        kept.add(new Held(ref.get(), disassociated));
                    } else {
                        ref.get().put();
                    }
                }
            }));
        }
        ready.await();
        go.countDown();
        while (refsTaken.get() < 20) {
            Thread.onSpinWait();
        }

        module.unload(UnloadMode.DISASSOCIATE);

        for (var worker : workers) {
            worker.get();
        }
        assertThat(failures).isEmpty();
        assertThat(module.refcount()).isZero();
        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
        assertThat(kept).isNotEmpty().allSatisfy(held -> assertThat(held.disassociated()).isTrue());
        assertThat(module.tryGet(() -> { })).isEmpty();
    }
}
