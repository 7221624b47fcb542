package io.comfygate.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The waiting room in front of the backends: per-user FIFO queues served round-robin, with
 * per-user limits. It only decides; the caller acts on the decisions (stores, dispatches) after
 * the call returns. Not thread-safe on its own: the engine calls it under its one scheduling lock,
 * which is what makes the limits hold under concurrent submits.
 *
 * <p>Fairness: {@link #promote(int)} hands out one job per user per turn, in the order users last
 * got a turn, so a user with five waiting jobs does not starve a user with one.
 *
 * @param <J> the job key (the engine uses job ids)
 */
public final class FairQueue<J> {
  private final QuotaPolicy policy;
  /** Users with waiting jobs, in turn order: the head gets the next slot. */
  private final Map<String, Deque<J>> waiting = new LinkedHashMap<>();
  private final Map<String, Integer> dispatched = new HashMap<>();
  private final Map<J, String> owner = new HashMap<>();

  public FairQueue(QuotaPolicy policy) {
    this.policy = policy;
  }

  public QuotaPolicy policy() {
    return policy;
  }

  /**
   * Why {@code user} may not add a job now, or empty if they may. A job that can be dispatched at
   * once (the user is under their concurrency limit and a slot is free) never waits, so it needs
   * no waiting place. This relies on the caller promoting after every change: a slot that is free
   * now has no waiting job that could take it.
   *
   * @param freeSlots backend slots free right now
   */
  public OptionalInt refusal(String user, int freeSlots) {
    int waits = waitingCount(user);
    boolean startsNow = waits == 0 && dispatchedCount(user) < policy.maxConcurrent() && freeSlots > 0;
    if (startsNow || waits < policy.maxWaiting()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(policy.maxWaiting());
  }

  /** Adds a job at the back of its user's queue; a user new to the queue takes the last turn. */
  public void add(String user, J job) {
    if (owner.putIfAbsent(job, user) != null) {
      throw new IllegalStateException("job already queued or dispatched: " + job);
    }
    waiting.computeIfAbsent(user, u -> new ArrayDeque<>()).addLast(job);
  }

  /** Records a job that is already on a backend (after a restart), so it counts against its user. */
  public void addDispatched(String user, J job) {
    if (owner.putIfAbsent(job, user) != null) {
      throw new IllegalStateException("job already queued or dispatched: " + job);
    }
    dispatched.merge(user, 1, Integer::sum);
  }

  /**
   * Takes up to {@code slots} waiting jobs for dispatch, one per user per turn, skipping users at
   * their concurrency limit, and counts them as dispatched.
   */
  public List<J> promote(int slots) {
    List<J> out = new ArrayList<>();
    boolean progress = true;
    while (out.size() < slots && progress) {
      progress = false;
      List<String> turn = new ArrayList<>(waiting.keySet());
      for (String user : turn) {
        if (out.size() >= slots) {
          break;
        }
        if (dispatchedCount(user) >= policy.maxConcurrent()) {
          continue;
        }
        Deque<J> jobs = waiting.remove(user);
        out.add(jobs.pollFirst());
        dispatched.merge(user, 1, Integer::sum);
        if (!jobs.isEmpty()) {
          waiting.put(user, jobs); // back of the turn order
        }
        progress = true;
      }
    }
    return out;
  }

  /**
   * Removes a waiting job (cancel). Returns false if it is not waiting (already dispatched or
   * unknown).
   */
  public boolean removeWaiting(J job) {
    String user = owner.get(job);
    Deque<J> jobs = user == null ? null : waiting.get(user);
    if (jobs == null || !jobs.remove(job)) {
      return false;
    }
    owner.remove(job);
    if (jobs.isEmpty()) {
      waiting.remove(user);
    }
    return true;
  }

  /** A dispatched job ended (any way): its user's slot is free again. */
  public void finished(J job) {
    String user = owner.get(job);
    if (user == null || isWaiting(user, job)) {
      return;
    }
    owner.remove(job);
    dispatched.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * A dispatched job goes back to the head of its user's queue (its backend refused it or went
   * away before it ran), keeping its place ahead of the user's later jobs.
   */
  public void requeueFirst(J job) {
    String user = owner.get(job);
    if (user == null || isWaiting(user, job)) {
      return;
    }
    dispatched.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    Deque<J> jobs = waiting.remove(user);
    if (jobs == null) {
      jobs = new ArrayDeque<>();
    }
    jobs.addFirst(job);
    // A returning job keeps its user's turn at the front, as it had it before.
    Map<String, Deque<J>> reordered = new LinkedHashMap<>();
    reordered.put(user, jobs);
    reordered.putAll(waiting);
    waiting.clear();
    waiting.putAll(reordered);
  }

  /**
   * The position a waiting job would be dispatched at (0 = next), simulating the round-robin with
   * unlimited slots; -1 if it is not waiting.
   */
  public int position(J job) {
    String user = owner.get(job);
    Deque<J> own = user == null ? null : waiting.get(user);
    int index = own == null ? -1 : indexOf(own, job);
    if (index < 0) {
      return -1;
    }
    // Turns 0..index-1 serve up to `index` jobs of every user; in turn `index` the users ahead of
    // this one in turn order serve one more each if they still have one. O(users), not O(jobs).
    int position = 0;
    boolean ahead = true;
    for (Map.Entry<String, Deque<J>> e : waiting.entrySet()) {
      int size = e.getValue().size();
      if (e.getKey().equals(user)) {
        ahead = false;
        position += index;
      } else {
        position += Math.min(size, index) + (ahead && size > index ? 1 : 0);
      }
    }
    return position;
  }

  /**
   * Every waiting job in the order {@link #position} numbers them (index = position), in one pass:
   * O(jobs), where asking each job's position is O(jobs × users).
   */
  public List<J> inDispatchOrder() {
    List<Iterator<J>> turns = new ArrayList<>(waiting.size());
    int total = 0;
    for (Deque<J> jobs : waiting.values()) {
      turns.add(jobs.iterator());
      total += jobs.size();
    }
    List<J> order = new ArrayList<>(total);
    while (order.size() < total) {
      for (Iterator<J> user : turns) {
        if (user.hasNext()) {
          order.add(user.next());
        }
      }
    }
    return order;
  }

  private static <J> int indexOf(Deque<J> jobs, J job) {
    int i = 0;
    for (J j : jobs) {
      if (j.equals(job)) {
        return i;
      }
      i++;
    }
    return -1;
  }

  public int waitingCount(String user) {
    Deque<J> jobs = waiting.get(user);
    return jobs == null ? 0 : jobs.size();
  }

  public int dispatchedCount(String user) {
    return dispatched.getOrDefault(user, 0);
  }

  public int totalWaiting() {
    int n = 0;
    for (Deque<J> jobs : waiting.values()) {
      n += jobs.size();
    }
    return n;
  }

  /** Waiting jobs per user, for the admin queue view and metrics. */
  public Map<String, Integer> waitingByUser() {
    Map<String, Integer> out = new LinkedHashMap<>();
    waiting.forEach((u, jobs) -> out.put(u, jobs.size()));
    return out;
  }

  private boolean isWaiting(String user, J job) {
    Deque<J> jobs = waiting.get(user);
    return jobs != null && jobs.contains(job);
  }
}
