package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.novacore.DriverWork;

/** A work item as the API shows it. */
record WorkView(long id, String device, String scope, String action, long delayNs, long requeue, long holdNs,
                String state, long executions, int generation) {

    static WorkView of(DriverWork work) {
        var spec = work.spec();
        return new WorkView(work.id(), work.owner().address(), WireWord.of(spec.scope()), spec.action().wireName(),
                spec.delayNs(), spec.requeue(), spec.hold().ns(), WireWord.of(work.state()), work.executions(),
                work.text().generation());
    }
}
