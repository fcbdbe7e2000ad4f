package dev.novahost.kernel.module;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loadable module: its state, its text generation and its reference count.
 *
 * <p>Invariants: the refcount is the number of {@link ModuleRef}s of the current generation not yet
 * dropped; no reference is ever taken on a module that is not {@code live} (once unload has begun,
 * {@code try_module_get} fails); a {@code pin}-mode unload with references held changes nothing.
 *
 * <p>Thread-safety: load and unload are serialised by {@code moduleMutex} ({@code module_mutex});
 * state, refcount and the holder set are guarded by {@code this}, held only for short, non-blocking
 * steps, so taking and dropping references never waits for a load or unload in progress.
 */
public final class Module {

    private final String name;
    private final ModuleCode code;
    private final ReentrantLock moduleMutex = new ReentrantLock();
    private final Set<ModuleRef> refs = new LinkedHashSet<>();
    private ModuleState state = ModuleState.UNLOADED;
    private ModuleText text;
    private int generation;

    public Module(String name, ModuleCode code) {
        this.name = name;
        this.code = code;
    }

    public String name() {
        return name;
    }

    public synchronized ModuleState state() {
        return state;
    }

    /** Loads so far; the current or last text generation (0 before the first load). */
    public synchronized int generation() {
        return generation;
    }

    public synchronized int refcount() {
        return refs.size();
    }

    /** {@code insmod}: a new text generation, then {@code module_init}. {@code EEXIST} when already loaded. */
    public void load() {
        moduleMutex.lock();
        try {
            ModuleText fresh;
            synchronized (this) {
                if (state != ModuleState.UNLOADED) {
                    throw KernelException.of(Errno.EEXIST, "Module " + name + " is already loaded");
                }
                fresh = new ModuleText(name, ++generation);
                text = fresh;
                state = ModuleState.LIVE;
            }
            try {
                code.init(fresh);
            } catch (RuntimeException initFailed) {
                free(fresh);
                throw initFailed;
            }
        } finally {
            moduleMutex.unlock();
        }
    }

    /**
     * {@code rmmod}: {@code module_exit}, then the text is freed. {@code ENOENT} when not loaded;
     * {@code EWOULDBLOCK} in {@link UnloadMode#PIN} mode while references are held.
     */
    public void unload(UnloadMode mode) {
        moduleMutex.lock();
        try {
            ModuleText going = beginUnload(mode);
            if (mode == UnloadMode.DISASSOCIATE) {
                disassociateAll();
            }
            code.exit();
            free(going);
        } finally {
            moduleMutex.unlock();
        }
    }

    private synchronized ModuleText beginUnload(UnloadMode mode) {
        if (state != ModuleState.LIVE) {
            throw KernelException.notFound(Errno.ENOENT, "Module " + name + " is not currently loaded");
        }
        if (mode == UnloadMode.PIN && !refs.isEmpty()) {
            throw KernelException.of(Errno.EWOULDBLOCK, "Module " + name + " is in use: " + refs.size()
                    + " reference(s) held by open files; close them, or unload with mode=disassociate or force=true");
        }
        state = ModuleState.GOING;
        return text;
    }

    private void disassociateAll() {
        for (ModuleRef ref : snapshotRefs()) {
            ref.disassociate();
        }
    }

    private synchronized ArrayList<ModuleRef> snapshotRefs() {
        return new ArrayList<>(refs);
    }

    /** The text is freed; a forced unload's leftover references die with it. */
    private void free(ModuleText old) {
        synchronized (this) {
            state = ModuleState.UNLOADED;
            refs.clear();
        }
        old.free();
    }

    /**
     * {@code try_module_get}: a reference on the live module, or empty once unload has begun.
     *
     * @param disassociate how the holder disconnects itself if the module is unloaded in
     *                     {@link UnloadMode#DISASSOCIATE} mode; it must not block on the module
     */
    public synchronized Optional<ModuleRef> tryGet(Runnable disassociate) {
        if (state != ModuleState.LIVE) {
            return Optional.empty();
        }
        var ref = new ModuleRef(this, text, disassociate);
        refs.add(ref);
        return Optional.of(ref);
    }

    synchronized void release(ModuleRef ref) {
        refs.remove(ref);
    }

    /** The live text generation, if the module is loaded and not going. */
    public synchronized Optional<ModuleText> liveText() {
        return state == ModuleState.LIVE ? Optional.of(text) : Optional.empty();
    }
}
