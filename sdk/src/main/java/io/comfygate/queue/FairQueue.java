package io.comfygate.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The waiting room in front of the backends: per-user FIFO queues served round-robin, with
 * per-user limits. It only decides; the caller acts on the decisions (stores, dispatches) after
 * the call returns. Not thread-safe on its own: the engine calls it under its one scheduling lock.
 *
 * <p>Fairness: {@link #promote(int)} hands out one job per user per turn, in the order users last
 * got a turn, so a user with five waiting jobs does not starve a user with one.
 *
 * <p>Costs do not grow with the number of waiting jobs: adding, promoting and removing a job are
 * O(1) (promote also visits the users in turn order), {@link #position} is O(users), counts are
 * O(1). Only {@link #inDispatchOrder()} walks every waiting job, as it must.
 *
 * @param <J> the job key (the engine uses job ids)
 */
public final class FairQueue<J> {
  private final QuotaPolicy policy;
  /** Users with waiting jobs, in turn order: the head gets the next slot. */
  private final Map<String, Line<J>> waiting = new LinkedHashMap<>();
  private final Map<String, Integer> dispatched = new HashMap<>();
  /** Every job the queue knows, waiting or dispatched. */
  private final Map<J, Place> places = new HashMap<>();
  private int totalWaiting;

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
   * now has no waiting job that could take it. (The engine's store applies the same rule inside
   * the insert's transaction; this is the in-memory statement of it.)
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
    Place place = new Place(user);
    if (places.putIfAbsent(job, place) != null) {
      throw new IllegalStateException("job already queued or dispatched: " + job);
    }
    waiting.computeIfAbsent(user, u -> new Line<>()).addLast(job, place);
    totalWaiting++;
  }

  /** Records a job that is already on a backend (after a restart), so it counts against its user. */
  public void addDispatched(String user, J job) {
    Place place = new Place(user);
    place.waiting = false;
    if (places.putIfAbsent(job, place) != null) {
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
    while (out.size() < slots && progress && !waiting.isEmpty()) {
      progress = false;
      List<String> turn = new ArrayList<>(waiting.keySet());
      for (String user : turn) {
        if (out.size() >= slots) {
          break;
        }
        if (dispatchedCount(user) >= policy.maxConcurrent()) {
          continue;
        }
        Line<J> line = waiting.remove(user);
        J job = line.pollFirst();
        places.get(job).waiting = false;
        totalWaiting--;
        out.add(job);
        dispatched.merge(user, 1, Integer::sum);
        if (!line.isEmpty()) {
          waiting.put(user, line); // back of the turn order
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
    Place place = places.get(job);
    if (place == null || !place.waiting) {
      return false;
    }
    Line<J> line = waiting.get(place.user);
    line.remove(job, place);
    places.remove(job);
    totalWaiting--;
    if (line.isEmpty()) {
      waiting.remove(place.user);
    }
    return true;
  }

  /** A dispatched job ended (any way): its user's slot is free again. */
  public void finished(J job) {
    Place place = places.get(job);
    if (place == null || place.waiting) {
      return;
    }
    places.remove(job);
    dispatched.computeIfPresent(place.user, (u, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * A dispatched job goes back to the head of its user's queue (its backend refused it or went
   * away before it ran), keeping its place ahead of the user's later jobs.
   */
  public void requeueFirst(J job) {
    Place place = places.get(job);
    if (place == null || place.waiting) {
      return;
    }
    dispatched.computeIfPresent(place.user, (u, n) -> n <= 1 ? null : n - 1);
    putFirst(job, place);
  }

  /**
   * Puts a job that was taken out of the waiting room ({@link #removeWaiting}) back at the head
   * of its user's queue, for when acting on the removal failed (a cancel the database refused).
   */
  public void restoreFirst(String user, J job) {
    Place place = new Place(user);
    if (places.putIfAbsent(job, place) != null) {
      throw new IllegalStateException("job already queued or dispatched: " + job);
    }
    putFirst(job, place);
  }

  private void putFirst(J job, Place place) {
    Line<J> line = waiting.remove(place.user);
    if (line == null) {
      line = new Line<>();
    }
    line.addFirst(job, place);
    totalWaiting++;
    // A returning job keeps its user's turn at the front, as it had it before.
    Map<String, Line<J>> reordered = new LinkedHashMap<>();
    reordered.put(place.user, line);
    reordered.putAll(waiting);
    waiting.clear();
    waiting.putAll(reordered);
  }

  /**
   * The position a waiting job would be dispatched at (0 = next), simulating the round-robin with
   * unlimited slots; -1 if it is not waiting. O(users): its index in its user's queue comes from
   * sequence numbers, not from a walk.
   */
  public int position(J job) {
    Place place = places.get(job);
    if (place == null || !place.waiting) {
      return -1;
    }
    Line<J> own = waiting.get(place.user);
    int index = own.indexOf(place);
    // Turns 0..index-1 serve up to `index` jobs of every user; in turn `index` the users ahead of
    // this one in turn order serve one more each if they still have one.
    int position = 0;
    boolean ahead = true;
    for (Line<J> line : waiting.values()) {
      int size = line.size();
      if (line == own) {
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
    for (Line<J> line : waiting.values()) {
      turns.add(line.jobs.iterator());
    }
    List<J> order = new ArrayList<>(totalWaiting);
    while (order.size() < totalWaiting) {
      for (Iterator<J> user : turns) {
        if (user.hasNext()) {
          order.add(user.next());
        }
      }
    }
    return order;
  }

  public int waitingCount(String user) {
    Line<J> line = waiting.get(user);
    return line == null ? 0 : line.size();
  }

  public int dispatchedCount(String user) {
    return dispatched.getOrDefault(user, 0);
  }

  public int totalWaiting() {
    return totalWaiting;
  }

  /** How many users have jobs waiting. */
  public int waitingUsers() {
    return waiting.size();
  }

  /** Waiting jobs per user, for the admin queue view and metrics. */
  public Map<String, Integer> waitingByUser() {
    Map<String, Integer> out = new LinkedHashMap<>();
    waiting.forEach((u, line) -> out.put(u, line.size()));
    return out;
  }

  /** Where a job is: its user, whether it waits, and its sequence number in its user's line. */
  private static final class Place {
    final String user;
    boolean waiting = true;
    long seq;

    Place(String user) {
      this.user = user;
    }
  }

  /**
   * One user's waiting jobs in order. Each job carries a sequence number (growing at the back,
   * shrinking at the front); a job's index is its distance from the head's number minus the
   * numbers of jobs removed from the middle (cancels: few), so no walk is needed.
   */
  private static final class Line<J> {
    final LinkedHashSet<J> jobs = new LinkedHashSet<>();
    private final Map<J, Place> byJob = new HashMap<>();
    private final TreeSet<Long> holes = new TreeSet<>();
    private long head; // sequence number of the first job
    private long next; // sequence number the next job at the back gets
    private int size;

    void addLast(J job, Place place) {
      if (jobs.isEmpty()) {
        head = next;
      }
      place.seq = next++;
      place.waiting = true;
      jobs.add(job);
      byJob.put(job, place);
      size++;
    }

    void addFirst(J job, Place place) {
      if (jobs.isEmpty()) {
        head = next;
        next++;
      } else {
        head--;
      }
      place.seq = head;
      place.waiting = true;
      LinkedHashSet<J> rest = new LinkedHashSet<>(jobs); // rare: a refused hand-over or a failed cancel
      jobs.clear();
      jobs.add(job);
      jobs.addAll(rest);
      byJob.put(job, place);
      size++;
    }

    J pollFirst() {
      Iterator<J> it = jobs.iterator();
      J job = it.next();
      it.remove();
      byJob.remove(job);
      size--;
      advanceHead();
      return job;
    }

    void remove(J job, Place place) {
      jobs.remove(job);
      byJob.remove(job);
      size--;
      if (place.seq == head) {
        advanceHead();
      } else {
        holes.add(place.seq);
      }
    }

    private void advanceHead() {
      if (jobs.isEmpty()) {
        holes.clear();
        head = next;
        return;
      }
      head = byJob.get(jobs.iterator().next()).seq;
      holes.headSet(head).clear();
    }

    int indexOf(Place place) {
      int distance = (int) (place.seq - head);
      return holes.isEmpty() ? distance : distance - holes.headSet(place.seq).size();
    }

    /** Read once per user by {@link #position}: a field of this object, not the set's. */
    int size() {
      return size;
    }

    boolean isEmpty() {
      return size == 0;
    }
  }
}
