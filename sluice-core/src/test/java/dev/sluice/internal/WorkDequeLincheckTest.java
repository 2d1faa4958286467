package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks with Lincheck that {@link WorkDeque} behaves as a deque when one owner pushes and pops at
 * the top while other threads steal at the base, against {@link Model}, a plain {@link ArrayDeque}
 * where {@code pop} takes the newest item and {@code steal} the oldest, and both return null when
 * it is empty.
 *
 * <p>The owner's operations, {@code push()} and {@code pop()}, are in Lincheck's non-parallel group
 * {@code "owner"}, so they all run on one thread; {@code steal()} runs on any thread. Each push
 * makes a new {@link Item} with the next id (ids count up in push order on the owner thread, so the
 * model assigns the same ids), so results name items and no slot ever sees the same object twice.
 * Each start is checked by model checking (Lincheck runs the threads one at a time and explores
 * their interleavings, switching at shared memory accesses) and by stress (real threads):
 *
 * <ul>
 *   <li>{@link Start#EMPTY}: a new deque, where pops and steals race for the last items;
 *   <li>{@link Start#NEARLY_FULL}: a deque already holding {@link #FILLERS} items, 63 of its 64
 *       slots, so the next push grows the array while thieves steal at the base, and thieves race
 *       with the owner moving their slot to the new array.
 * </ul>
 *
 * <h2>What is checked, and what is not</h2>
 *
 * By design a single {@link WorkDeque#steal()} may return null while the deque holds items, when it
 * sees its slot being taken by another thief or moved by a growing owner. Lincheck's sequential
 * specification must be deterministic, so it cannot say "null is allowed here because a take or
 * move is in flight". The tested {@code steal()} therefore retries as callers do: it calls {@code
 * steal()} again while it gets null and the deque is not empty, and returns null only when it is.
 * The emptiness check is the test's own {@code isEmptyNow}, which reads {@code base} before {@code
 * top} and so is true only if the deque was empty at some moment during the call; {@link
 * WorkDeque#isEmpty()} reads {@code top} first and is not linearizable (it can report empty when a
 * push and a steal overlap the call, although the deque never was), so it would make this test fail
 * now and then for that reason rather than for {@code steal()}. This test checks, over all the
 * interleavings Lincheck explores:
 *
 * <ul>
 *   <li>no item is lost, duplicated or invented, including while the array grows;
 *   <li>{@code pop()} returns the newest item, and null only when the deque is empty (checked as
 *       is, without retry: the owner's pop has no spurious null);
 *   <li>a successful steal returns the oldest item;
 *   <li>a spurious null of {@code steal()} is transient: the retried steal finishes (model checking
 *       reports a livelock otherwise; stress fails after {@link #MAX_STEAL_ATTEMPTS} attempts);
 *   <li>after each invocation ({@code @Validate}), the array holds exactly the items between {@code
 *       base} and {@code top}, so no taken item stays referenced (as one would if the growing owner
 *       copied an item without winning its slot).
 * </ul>
 *
 * It does not check: how often a single {@code steal()} returns null spuriously; {@code isEmpty()},
 * {@code size()} and the boolean {@code push} returns (whether the deque looked empty) as
 * operations of their own; and model checking explores sequentially consistent interleavings only,
 * so a missing release or acquire is found, if at all, by the stress runs, on the memory model of
 * the machine running them.
 *
 * <h2>Size</h2>
 *
 * Scaled by the system property {@code sluice.stress} (1 by default and in CI): model checking runs
 * {@code 30 * sluice.stress} scenarios of 3 threads x 3 operations (plus 2 before and 2 after) per
 * start, up to 1,000 interleavings each; stress runs as many scenarios, 1,000 invocations each.
 * {@code loopBound} is raised above the 63 iterations of the growing owner's copy loop, which
 * Lincheck would otherwise report as a livelock.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class WorkDequeLincheckTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));

  /**
   * How often the tested steal retries a null steal while the deque is not empty before it fails,
   * so that a deque that never lets a steal through fails a stress run instead of hanging it.
   */
  static final int MAX_STEAL_ATTEMPTS = 1_000_000;

  /** Items already in a nearly full deque: the next push grows the array (63 of 64 slots). */
  static final int FILLERS = 63;

  /** The deques under test, each with its model. */
  enum Start {
    EMPTY(FromEmpty.class, ModelFromEmpty.class),
    NEARLY_FULL(FromNearlyFull.class, ModelFromNearlyFull.class);

    final Class<? extends Operations> operations;
    final Class<? extends Model> model;

    Start(Class<? extends Operations> operations, Class<? extends Model> model) {
      this.operations = operations;
      this.model = model;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Start.class)
  void ownerPushAndPopAndRetriedStealAreLinearizableUnderModelChecking(Start start) {
    new ModelCheckingOptions()
        .iterations(30 * STRESS)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .loopBound(4 * FILLERS)
        .sequentialSpecification(start.model)
        .check(start.operations);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Start.class)
  void ownerPushAndPopAndRetriedStealAreLinearizableUnderStress(Start start) {
    new StressOptions()
        .iterations(30 * STRESS)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .sequentialSpecification(start.model)
        .check(start.operations);
  }

  /** A task that is only an id; never run. Each push makes a new one, so no slot sees ABA. */
  static final class Item extends GroupTask<Object> {
    final int id;

    Item(int id) {
      super(null, false, false);
      this.id = id;
    }

    @Override
    public String toString() {
      return "item " + id;
    }
  }

  /** The operations Lincheck calls on a real deque. */
  public abstract static class Operations {
    private static final VarHandle BASE;
    private static final VarHandle TOP;

    static {
      try {
        MethodHandles.Lookup l =
            MethodHandles.privateLookupIn(WorkDeque.class, MethodHandles.lookup());
        BASE = l.findVarHandle(WorkDeque.class, "base", int.class);
        TOP = l.findVarHandle(WorkDeque.class, "top", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final WorkDeque deque = new WorkDeque();

    /** The id of the next pushed item; touched by the owner only. */
    private int nextId;

    Operations(int fillers) {
      for (int i = 0; i < fillers; i++) {
        deque.push(new Item(nextId++));
      }
    }

    @Operation(nonParallelGroup = "owner")
    public void push() {
      deque.push(new Item(nextId++));
    }

    @Operation(nonParallelGroup = "owner")
    public @Nullable Integer pop() {
      return id(deque.pop());
    }

    @Operation
    public @Nullable Integer steal() {
      for (int attempt = 0; attempt < MAX_STEAL_ATTEMPTS; attempt++) {
        GroupTask<?> task = deque.steal();
        if (task != null || isEmptyNow(deque)) {
          return id(task);
        }
        Thread.yield(); // let a preempted thief finish its take
      }
      throw new AssertionError(
          "steal() returned null "
              + MAX_STEAL_ATTEMPTS
              + " times in a row while the deque was not empty");
    }

    /**
     * Checked by Lincheck after each invocation, when all threads have finished: the array holds
     * exactly the items between {@code base} and {@code top}, so no taken item stays referenced
     * (such as one a growing owner copied after a thief took it).
     */
    @Validate
    public void theArrayHoldsExactlyTheItemsBetweenBaseAndTop()
        throws ReflectiveOperationException {
      int base = (int) field("base").get(deque);
      int top = (int) field("top").get(deque);
      Object[] array = (Object[]) field("array").get(deque);
      if (top - base < 0 || top - base > array.length) {
        throw new AssertionError("base " + base + " and top " + top + " for " + array.length);
      }
      for (int i = 0; i < array.length; i++) {
        boolean inside = ((i - base) & (array.length - 1)) < top - base;
        if (inside != (array[i] != null)) {
          throw new AssertionError(
              "slot "
                  + i
                  + " must be "
                  + (inside ? "an item" : "null")
                  + " with base "
                  + base
                  + " and top "
                  + top
                  + ": "
                  + array[i]);
        }
      }
    }

    /**
     * Whether the deque held no item at some moment during this call: reads {@code base} before
     * {@code top}, so that {@code top <= base} means {@code top} had caught up with a {@code base}
     * that can only have grown since. ({@link WorkDeque#isEmpty()} reads them the other way round
     * and can report empty when a push and a steal overlap the call although the deque never was.)
     */
    private static boolean isEmptyNow(WorkDeque deque) {
      int b = (int) BASE.getVolatile(deque);
      return (int) TOP.getAcquire(deque) - b <= 0;
    }

    private static Field field(String name) throws NoSuchFieldException {
      Field f = WorkDeque.class.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    }

    private static @Nullable Integer id(@Nullable GroupTask<?> task) {
      return task == null ? null : ((Item) task).id;
    }
  }

  /** The sequential specification: ids in push order, newest last. */
  public abstract static class Model {
    private final ArrayDeque<Integer> items = new ArrayDeque<>();
    private int nextId;

    Model(int fillers) {
      for (int i = 0; i < fillers; i++) {
        items.addLast(nextId++);
      }
    }

    public void push() {
      items.addLast(nextId++);
    }

    public @Nullable Integer pop() {
      return items.pollLast();
    }

    public @Nullable Integer steal() {
      return items.pollFirst();
    }
  }

  /** Operations on a new deque. */
  public static final class FromEmpty extends Operations {
    public FromEmpty() {
      super(0);
    }
  }

  /** Operations on a deque holding {@link #FILLERS} items. */
  public static final class FromNearlyFull extends Operations {
    public FromNearlyFull() {
      super(FILLERS);
    }
  }

  /** The model of {@link FromEmpty}. */
  public static final class ModelFromEmpty extends Model {
    public ModelFromEmpty() {
      super(0);
    }
  }

  /** The model of {@link FromNearlyFull}. */
  public static final class ModelFromNearlyFull extends Model {
    public ModelFromNearlyFull() {
      super(FILLERS);
    }
  }
}
