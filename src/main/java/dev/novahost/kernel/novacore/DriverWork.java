package dev.novahost.kernel.novacore;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.WorkEvent;
import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.lockdep.LockClass;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.CurrentTask;
import dev.novahost.kernel.work.WorkItem;
import dev.novahost.kernel.work.Workqueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A work item nova-core queued for a device: device scope on the system workqueue, module scope on
 * the module's own workqueue. Its function is driver code and goes through the {@link ModuleCall}
 * checks; it may re-queue itself a given number of times.
 */
public final class DriverWork extends LoggedObject<WorkEvent> {

    /**
     * What the caller asked for: an optional delay, how many times the work re-queues itself, and how
     * long each run takes before its action. The constructor keeps its rules ({@code EINVAL}): a delay of
     * at most {@link DriverTimer.Spec#MAX_DELAY_NS}, no negative count of re-queues, and no
     * {@code queue-work} action, which only a timer does. How many re-queues are too many is the
     * caller's: the live API caps them, a scenario's budget stops a run that requeues without end.
     */
    public record Spec(long delayNs, long requeue, Scope scope, Action action, CallbackDelay hold) {

        public Spec {
            DriverTimer.Spec.within("delayNs", delayNs, 0, DriverTimer.Spec.MAX_DELAY_NS);
            if (requeue < 0) {
                throw KernelException.of(Errno.EINVAL, "requeue must not be negative, was " + requeue);
            }
            if (action == Action.QUEUE_WORK) {
                throw KernelException.of(Errno.EINVAL, "queue-work is a timer action; work items read-ptimer, touch-bar or noop");
            }
        }

        /** A work function that takes no time. */
        public Spec(long delayNs, long requeue, Scope scope, Action action) {
            this(delayNs, requeue, scope, action, CallbackDelay.NONE);
        }
    }

    private final long id;
    private final LockClass queueLock;
    private final String queueName;
    private final String runner; // its function, as reports name the task running it
    private final CallbackGate gate;
    private final Supplier<String> holder = this::runningFunction; // made once: cancels are on the unbind path
    private final ModuleText text;
    private final Spec spec;
    private final AtomicLong requeuesLeft;
    private final WorkItem item;
    private final AtomicReference<CallbackHold> hold = new AtomicReference<>();

    DriverWork(NovaContext ctx, NovaDevice owner, ModuleText text, Workqueue queue, Spec spec) {
        long id = ctx.nextId();
        super(ctx, owner, "work " + id);
        this.id = id;
        this.text = text;
        this.spec = spec;
        this.requeuesLeft = new AtomicLong(spec.requeue());
        this.queueLock = ctx.locks().workqueue(queue.name());
        this.queueName = queue.name();
        this.runner = "nova_work_fn " + name;
        this.gate = new CallbackGate(ctx, this, owner.born(),
                "/api/v1/devices/" + owner.address() + "/work/" + id + "/release");
        this.item = new WorkItem(queue, w -> running(), w -> queuedOntoDeadQueue(queue));
        log(new WorkEvent.Created(owner.address(), name, WireWord.of(spec.scope()), queue.name(),
                spec.action().wireName(), spec.delayNs(), spec.requeue(), spec.hold().ns()));
    }

    /** The first submission, as the caller asked: delayed or not. */
    void submit() {
        if (spec.delayNs() > 0) {
            item.queueDelayed(spec.delayNs());
            log(new WorkEvent.Delayed(owner.address(), name, spec.delayNs()));
        } else {
            item.queue();
            log(new WorkEvent.Queued(owner.address(), name));
        }
    }

    /** {@code queue_work} from a timer callback (the timer → work chain). */
    WorkItem.QueueResult queueFromCallback() {
        return item.queue();
    }

    /** {@code cancel_work_sync}: the work may be queued again afterwards. */
    boolean cancelSync() {
        boolean stopped;
        try (var wait = ctx.locks().waitFor(ctx.locks().workFunction(), "cancel_work_sync", this, holder)) {
            stopped = item.cancelSync();
        }
        log(new WorkEvent.Cancelled(owner.address(), name, stopped));
        return stopped;
    }

    /** {@code disable_work_sync}: cancelled for good. */
    public boolean disable() {
        boolean stopped;
        try (var wait = ctx.locks().waitFor(ctx.locks().workFunction(), "disable_work_sync", this, holder)) {
            stopped = item.disableSync();
        }
        log(new WorkEvent.Disabled(owner.address(), name));
        return stopped;
    }

    public void flush() {
        item.flush();
    }

    /**
     * {@code release}: lets a {@code block} work function that is blocked now go on; {@code EINVAL} for
     * work of another action, or whose function is not blocked now.
     */
    public void release() {
        gate.release(spec.action(), "work function");
    }

    /**
     * Whether its callback is stuck now in a wait only a release, its lock's holder or a host reset can end
     * (it is blocked in the hung-task detector's eyes): a cancel would wait as long.
     */
    public boolean isStuck() {
        return ctx.hungTasks().isBlocked(runner);
    }

    /** Whether its {@code block} function is blocked now, waiting to be released. */
    public boolean isBlocked() {
        return gate.isBlocked();
    }

    /** Who runs what a cancel waits for: its function, while it runs (else unknown). */
    private String runningFunction() {
        return item.state() == WorkItem.State.RUNNING ? runner : null;
    }

    /** Holds the next run of the work function in flight until the hold is released. */
    public CallbackHold holdNextRun() {
        var next = new CallbackHold();
        hold.set(next);
        return next;
    }

    /** Pending, delayed or running: what ODEBUG calls active. */
    boolean isActive() {
        return item.isPending() || item.isDelayed() || item.state() == WorkItem.State.RUNNING;
    }

    /** {@code process_one_work}: the function runs holding its queue's and its own completion classes. */
    private boolean running() {
        var lockdep = ctx.locks().lockdep();
        try (var onQueue = lockdep.acquire(queueLock, "process_one_work");
             var function = lockdep.acquire(ctx.locks().workFunction(), "process_one_work");
             var as = CurrentTask.callback(runner)) {
            return run();
        }
    }

    /** The whole body runs in one read-side section of BAR0 (srcu; no section under the other policies). */
    private boolean run() {
        log(new WorkEvent.Running(owner.address(), name));
        return ModuleCall.runInSection(ctx, this, "nova_work_fn", hold.getAndSet(null), spec.hold(), spec.action(),
                this::runBody, this::refusedAtEntry, this::stopped);
    }

    /** BAR0 was revoked before the section began (srcu): the function does nothing, and may re-queue. */
    private boolean refusedAtEntry() {
        if (!ModuleCall.enter(ctx, this, ViolationKind.WORK_AFTER_REMOVE)) {
            return stopped();
        }
        ModuleCall.refusedAtEntry(ctx, this, spec.action());
        return requeue();
    }

    /** The run, inside the device's lock if its action takes it; a broken wait stops the work. */
    private boolean runBody(BarSection section) {
        if (spec.action() == Action.BLOCK && !gate.pass(runner)) {
            return stopped();
        }
        if (!ModuleCall.enter(ctx, this, ViolationKind.WORK_AFTER_REMOVE)) {
            return stopped();
        }
        if (spec.action().touchesBar() && !ModuleCall.touchBar(ctx, this, spec.action(), section)) {
            return false;
        }
        if (owner.isRemoving() && bugOnRemove()) {
            return stopped();
        }
        return requeue();
    }

    /** Whether it queues itself again, as many times as it was asked to. */
    private boolean requeue() {
        return requeuesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /**
     * Once its device's remove() has begun, a buggy work function waits for itself: {@code cancelWorkFromItself}
     * calls {@code cancel_work_sync} on its own item, {@code flushOwnQueue} flushes the queue it runs on.
     * Lockdep reports the recursion first; then the function waits for its own end, for ever, and whatever
     * waits for it (remove()'s {@code cancel_work_sync}) with it, until a host reset breaks the wait.
     * Each run after remove() began is one eligible call of each bug ({@code flushOwnQueue} is not asked
     * when {@code cancelWorkFromItself} fired: that run never gets to its flush); true if one fired.
     */
    private boolean bugOnRemove() {
        if (Injections.fires(ctx, Fault.CANCEL_WORK_FROM_ITSELF, CallSite.CALLBACK, this, name + ", from itself")) {
            waitForItself(ctx.locks().workFunction(), "cancel_work_sync", name);
            return true;
        }
        if (Injections.fires(ctx, Fault.FLUSH_OWN_QUEUE, CallSite.CALLBACK, this, queueName)) {
            waitForItself(queueLock, "flush_workqueue", queueName);
            return true;
        }
        return false;
    }

    private void waitForItself(LockClass waitedFor, String call, String object) {
        ctx.locks().lockdep().waitFor(waitedFor, call);
        var self = new Object();
        synchronized (self) {
            ctx.waits().await(self, owner.born(), () -> false, owner.address(), runner, call + "(" + object + ")",
                    () -> runner);
        }
    }

    private boolean stopped() {
        log(new WorkEvent.Stopped(owner.address(), name));
        return false;
    }

    /** The delay timer fired onto a destroyed workqueue: a use-after-free of the queue. */
    private void queuedOntoDeadQueue(Workqueue queue) {
        log(new WorkEvent.DeadQueue(owner.address(), name, queue.name()));
        ModuleCall.report(ctx, this, ViolationKind.WORK_AFTER_REMOVE, Outcome.OCCURRED, String.format(
                "%s: delayed work queued onto workqueue %s after it was destroyed", name(), queue.name()));
    }

    public long id() {
        return id;
    }

    @Override
    public Scope scope() {
        return spec.scope();
    }

    @Override
    public ModuleText text() {
        return text;
    }

    public Spec spec() {
        return spec;
    }

    /** Pending (queued, or delayed), running, idle or cancelled. */
    public WorkItem.State state() {
        var state = item.state();
        return state == WorkItem.State.IDLE && item.isDelayed() ? WorkItem.State.PENDING : state;
    }

    public long executions() {
        return item.executions();
    }
}
