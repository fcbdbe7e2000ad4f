package dev.novahost.api;

import dev.novahost.kernel.task.Tasks;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The kernel's tasks, as {@code /proc} shows them: what a request that answered 202 is doing now. */
@RestController
@RequestMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
class TaskController {

    private final Tasks tasks;

    TaskController(Tasks tasks) {
        this.tasks = tasks;
    }

    /** The tasks kept (at most {@code nova.max-tasks}), oldest first. */
    @GetMapping
    List<TaskView> list() {
        return tasks.all().stream().map(TaskView::of).toList();
    }

    @GetMapping("/{id}")
    TaskView get(@PathVariable long id) {
        return TaskView.of(tasks.get(id));
    }
}
