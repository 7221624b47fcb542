package io.comfygate.remote.model;

import java.util.List;

/** The admin's queue view: what each backend runs, and what waits in dispatch order. */
public record Queue(List<Backend> backends, List<Job> waiting) {
  public Queue {
    backends = backends == null ? List.of() : List.copyOf(backends);
    waiting = waiting == null ? List.of() : List.copyOf(waiting);
  }

  /** One ComfyUI backend: healthy or not (with the reason), and the jobs handed to it. */
  public record Backend(String name, boolean healthy, String reason, List<Job> jobs) {}
}
