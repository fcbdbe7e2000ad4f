package dev.novahost.kernel.novacore;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.events.TimerEvent;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.CurrentTask;
import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.work.WorkItem;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A timer nova-core armed on a device: an {@link HrTimer} whose callback is driver code, so it goes
 * through the {@link ModuleCall} checks before doing its action.
 *
 * <p>A callback that is caught running after remove() or after module unload is stopped: it does not
 * do its action and is not re-armed. Under srcu the whole run is one read-side section of BAR0, which
 * unbind's revocation waits for. A refused BAR access (revocable, srcu) does not stop a periodic timer;
 * an access to an unmapped BAR (fenced) does.
 */
public final class DriverTimer extends LoggedObject<TimerEvent> {

    /**
     * What the caller asked for; {@code hold} is how long each callback takes before its action. Its
     * rules are the kernel's, whoever arms the timer (the API, a scenario, a test), and the constructor
     * keeps them ({@code EINVAL}): a delay of at most {@link #MAX_DELAY_NS}; a periodic timer's period at
     * least {@link #MIN_PERIOD_NS} (a shorter one keeps a CPU busy for nothing, and on virtual time makes
     * an {@code advance} deliver without end) and at most an hour, a oneshot timer none; a work item to
     * queue for the {@code queue-work} action and for no other. Whether that work item belongs to the
     * timer's device is the driver's to check ({@link NovaCoreDriver#armTimer}).
     */
    public record Spec(TimerMode mode, long delayNs, long periodNs, Scope scope, Action action,
                       Optional<DriverWork> target, CallbackDelay hold) {

        /** 10 µs. */
        public static final long MIN_PERIOD_NS = 10_000L;

        /** An hour: longer delays and periods are almost surely unit mistakes. */
        public static final long MAX_DELAY_NS = 3_600_000_000_000L;

        public Spec {
            check(mode, delayNs, periodNs, action, target.isPresent());
        }

        /** A callback that takes no time. */
        public Spec(TimerMode mode, long delayNs, long periodNs, Scope scope, Action action,
                    Optional<DriverWork> target) {
            this(mode, delayNs, periodNs, scope, action, target, CallbackDelay.NONE);
        }

        /**
         * The rules the constructor keeps, for a parser that builds the spec only later: a scenario names
         * its work item before the run that queues it, and is refused before it runs.
         */
        /** Also the API's answer to a oneshot request that carries a {@code periodNs}, even 0. */
        public static final String ONESHOT_HAS_NO_PERIOD = "periodNs is for periodic timers; a oneshot timer has none";

        public static void check(TimerMode mode, long delayNs, long periodNs, Action action, boolean queuesWork) {
            within("delayNs", delayNs, 0, MAX_DELAY_NS);
            if (mode == TimerMode.PERIODIC) {
                if (periodNs < MIN_PERIOD_NS) {
                    throw KernelException.of(Errno.EINVAL, "a periodic timer needs 'periodNs' of at least "
                            + MIN_PERIOD_NS + " ns (10 µs), was " + periodNs);
                }
                within("periodNs", periodNs, MIN_PERIOD_NS, MAX_DELAY_NS);
            } else if (periodNs != 0) {
                throw KernelException.of(Errno.EINVAL, ONESHOT_HAS_NO_PERIOD);
            }
            if (action == Action.QUEUE_WORK && !queuesWork) {
                throw KernelException.of(Errno.EINVAL, "A queue-work timer needs 'work', the work item it queues");
            }
            if (action != Action.QUEUE_WORK && queuesWork) {
                throw KernelException.of(Errno.EINVAL, "work is only for the queue-work action");
            }
        }

        /** {@code EINVAL} unless {@code min <= value <= max}. */
        static void within(String field, long value, long min, long max) {
            if (value < min || value > max) {
                throw KernelException.of(Errno.EINVAL, field + " must be between " + min + " and " + max + ", was " + value);
            }
        }
    }

    private final long id;
    private final ModuleText text;
    private final Spec spec;
    private final HrTimer hrtimer;
    private final AtomicReference<CallbackHold> hold = new AtomicReference<>();
    private final String runner; // its callback, as reports name the task running it
    private final CallbackGate gate;
    private final Supplier<String> holder = this::runningCallback; // made once: cancels are on the unbind path
    private volatile long expires;

    DriverTimer(NovaContext ctx, NovaDevice owner, ModuleText text, Spec spec) {
        long id = ctx.nextId();
        super(ctx, owner, "timer " + id);
        this.id = id;
        this.text = text;
        this.spec = spec;
        this.runner = "nova_timer_fn " + name;
        this.gate = new CallbackGate(ctx, this, owner.born(),
                "/api/v1/devices/" + owner.address() + "/timers/" + id + "/release");
        this.hrtimer = new HrTimer(ctx.engine(), t -> fire());
        log(new TimerEvent.Created(owner.address(), name, WireWord.of(spec.scope()), WireWord.of(spec.mode()),
                spec.action().wireName(), spec.delayNs(), spec.periodNs(), spec.hold().ns()));
    }

    void start() {
        expires = ctx.engine().clock().nanoTime() + spec.delayNs();
        hrtimer.start(expires);
        log(new TimerEvent.Armed(owner.address(), name, expires));
    }

    /** Cancels for good and waits for a running callback; true if it was armed or running. */
    public boolean cancel() {
        boolean stopped;
        try (var wait = ctx.locks().waitFor(ctx.locks().timerCallback(), "hrtimer_cancel", this, holder)) {
            stopped = hrtimer.cancel();
        }
        log(new TimerEvent.Cancelled(owner.address(), name, stopped));
        return stopped;
    }

    /** Holds the next callback in flight until the hold is released. */
    public CallbackHold holdNextCallback() {
        var next = new CallbackHold();
        hold.set(next);
        return next;
    }

    /**
     * {@code release}: lets a {@code block} callback that is blocked now go on; {@code EINVAL} for a timer
     * of another action, or one whose callback is not blocked now.
     */
    public void release() {
        gate.release(spec.action(), "callback");
    }

    /**
     * Whether its callback is stuck now in a wait only a release, its lock's holder or a host reset can end
     * (it is blocked in the hung-task detector's eyes): a cancel would wait as long.
     */
    public boolean isStuck() {
        return ctx.hungTasks().isBlocked(runner);
    }

    /** Whether its {@code block} callback is blocked now, waiting to be released. */
    public boolean isBlocked() {
        return gate.isBlocked();
    }

    /** Who runs what a cancel waits for: its callback, while it runs (else unknown). */
    private String runningCallback() {
        return hrtimer.state() == HrTimer.State.RUNNING ? runner : null;
    }

    private OptionalLong fire() {
        try (var running = ctx.locks().lockdep().acquire(ctx.locks().timerCallback(), "nova_timer_fn");
             var as = CurrentTask.callback(runner)) {
            return run();
        }
    }

    /** The whole body runs in one read-side section of BAR0 (srcu; no section under the other policies). */
    private OptionalLong run() {
        log(new TimerEvent.Fired(owner.address(), name));
        return ModuleCall.runInSection(ctx, this, "nova_timer_fn", hold.getAndSet(null), spec.hold(), spec.action(),
                this::runBody, this::refusedAtEntry, this::stopped);
    }

    /** BAR0 was revoked before the section began (srcu): the callback does nothing, and a periodic one re-arms. */
    private OptionalLong refusedAtEntry() {
        if (!ModuleCall.enter(ctx, this, ViolationKind.TIMER_AFTER_REMOVE)) {
            return stopped();
        }
        ModuleCall.refusedAtEntry(ctx, this, spec.action());
        return rearm();
    }

    /** The run, inside the device's lock if its action takes it; a broken wait stops the timer. */
    private OptionalLong runBody(BarSection section) {
        if (spec.action() == Action.BLOCK && !gate.pass(runner)) {
            return stopped();
        }
        if (!ModuleCall.enter(ctx, this, ViolationKind.TIMER_AFTER_REMOVE) || !act(section)) {
            return stopped();
        }
        return rearm();
    }

    /** A oneshot timer is done; a periodic one is due again a period later ({@code hrtimer_forward_now}). */
    private OptionalLong rearm() {
        if (spec.mode() == TimerMode.ONESHOT) {
            return OptionalLong.empty();
        }
        long now = ctx.engine().clock().nanoTime();
        long next = expires + spec.periodNs();
        expires = next > now ? next : now + spec.periodNs(); // hrtimer_forward_now: skip missed periods
        return OptionalLong.of(expires);
    }

    /** Does the action; false when the callback must stop. */
    private boolean act(BarSection section) {
        return switch (spec.action()) {
            case READ_PTIMER, TOUCH_BAR -> ModuleCall.touchBar(ctx, this, spec.action(), section);
            case QUEUE_WORK -> {
                spec.target().ifPresent(work -> {
                    if (work.queueFromCallback() == WorkItem.QueueResult.QUEUED) {
                        log(new TimerEvent.QueuedWork(owner.address(), name, work.name()));
                    }
                });
                yield true;
            }
            case NOOP, LOCK, BLOCK -> true;
        };
    }

    private OptionalLong stopped() {
        log(new TimerEvent.Stopped(owner.address(), name));
        return OptionalLong.empty();
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

    public HrTimer.State state() {
        return hrtimer.state();
    }

    public boolean isActive() {
        return hrtimer.isActive();
    }

    /** When it fires next, if it is armed. */
    public OptionalLong nextExpiry() {
        return hrtimer.deadline();
    }

    public long expirations() {
        return hrtimer.expirations();
    }
}
