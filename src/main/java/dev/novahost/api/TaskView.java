package dev.novahost.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.novahost.kernel.task.Task;
import dev.novahost.kernel.task.TaskState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * A task as the API shows it: {@code blockedOn} only in state {@code D}, {@code result} only when done
 * ({@code errno} absent for success); {@code since} is when it entered its state.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TaskView(long id, String name, String state, String blockedOn, String started, String since,
                ResultView result) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ResultView(boolean ok, String errno, String detail) { }

    static TaskView of(Task task) {
        var status = task.status(); // one snapshot: a done status is final, so its result is there
        ResultView result = null;
        if (status.state() == TaskState.DONE) {
            var r = task.result().orElseThrow();
            result = new ResultView(r.succeeded(), r.errno().map(Enum::name).orElse(null), r.succeeded() ? null : r.detail());
        }
        return new TaskView(task.id(), task.name(), status.state().word(), status.blockedOn().orElse(null),
                Instant.ofEpochMilli(task.startedMillis()).toString(), Instant.ofEpochMilli(status.sinceMillis()).toString(),
                result);
    }

    static URI location(Task task) {
        return URI.create("/api/v1/tasks/" + task.id());
    }

    /**
     * The answer of a route that started {@code task}: if it ends within {@code wait}, the route's own
     * answer ({@code done}, or the operation's problem, as without a task); otherwise {@code 202} with the
     * task and where to find it again.
     */
    static ResponseEntity<?> answer(Task task, Duration wait, Supplier<ResponseEntity<?>> done) {
        if (!task.awaitDone(wait) && task.detach()) {
            // JSON whatever the route produces: DELETE /devices/{address} produces anything (its 204 has no body)
            return ResponseEntity.accepted().location(location(task)).contentType(MediaType.APPLICATION_JSON).body(of(task));
        }
        task.rethrowFailure();
        return done.get();
    }
}
