package dev.sluice;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks with Lincheck that the inspection and removal methods of the {@link
 * Channel#asBlockingQueue()} view, {@code peek()}, {@code contains(Object)} and {@code
 * remove(Object)}, are linearizable together with the channel's {@code trySend}, {@code
 * tryReceive}, {@code size} and {@code close}, against a plain {@link ArrayDeque}.
 *
 * <p>Removal from the middle is the one operation that rearranges items already in a channel, and
 * {@code peek} and {@code contains} read the items without taking them; this test is where those
 * meet concurrent sends and receives. Items are drawn from {1, 2, 3} so that removals and lookups
 * often hit. {@code peek()} returns {@code "null"} for null so the verifier compares a value.
 *
 * <p>Sized like {@link ChannelLincheckTest} and scaled by the same system property {@code
 * sluice.stress}: model checking runs {@code 20 * sluice.stress} scenarios of 3 threads x 3
 * operations (plus 2 before and 2 after), up to 1,000 interleavings each; stress runs {@code 30 *
 * sluice.stress} scenarios, 1,000 invocations each. About a minute and a half at 1 on a busy 2-core
 * machine.
 */
@Timeout(value = 90, unit = TimeUnit.MINUTES)
class ChannelQueueViewLincheckTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));

  /** The channels under test. */
  enum Kind {
    CAPACITY_1(Capacity1.class, Model1.class),
    CAPACITY_2(Capacity2.class, Model2.class),
    UNBOUNDED(UnboundedCapacity.class, UnboundedModel.class);

    final Class<? extends Operations> operations;
    final Class<? extends Model> model;

    Kind(Class<? extends Operations> operations, Class<? extends Model> model) {
      this.operations = operations;
      this.model = model;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void peekContainsAndRemoveAreLinearizableUnderModelChecking(Kind kind) {
    new ModelCheckingOptions()
        .iterations(20 * STRESS)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .sequentialSpecification(kind.model)
        .check(kind.operations);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void peekContainsAndRemoveAreLinearizableUnderStress(Kind kind) {
    new StressOptions()
        .iterations(30 * STRESS)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .sequentialSpecification(kind.model)
        .check(kind.operations);
  }

  /** The operations Lincheck calls concurrently on a real channel and its queue view. */
  public abstract static class Operations {
    private final Channel<Integer> channel;
    private final BlockingQueue<Integer> view;

    Operations(Channel<Integer> channel) {
      this.channel = channel;
      this.view = channel.asBlockingQueue();
    }

    @Operation
    public Object trySend(@Param(gen = IntGen.class, conf = "1:3") int value) {
      try {
        return channel.trySend(value);
      } catch (ChannelClosedException e) {
        return "closed";
      }
    }

    @Operation
    public Object tryReceive() {
      try {
        Optional<Integer> item = channel.tryReceive();
        return item.isPresent() ? item.get() : "empty";
      } catch (ChannelClosedException e) {
        return "closed";
      }
    }

    @Operation
    public boolean close() {
      return channel.close();
    }

    @Operation
    public int size() {
      return channel.size();
    }

    @Operation
    public Object peek() {
      Integer head = view.peek();
      return head == null ? "null" : head;
    }

    @Operation
    public boolean contains(@Param(gen = IntGen.class, conf = "1:3") int value) {
      return view.contains(value);
    }

    @Operation
    public boolean remove(@Param(gen = IntGen.class, conf = "1:3") int value) {
      return view.remove(value);
    }
  }

  /** Operations on {@code Channel.bounded(1)}. */
  public static final class Capacity1 extends Operations {
    public Capacity1() {
      super(Channel.bounded(1));
    }
  }

  /** Operations on {@code Channel.bounded(2)}. */
  public static final class Capacity2 extends Operations {
    public Capacity2() {
      super(Channel.bounded(2));
    }
  }

  /** Operations on {@code Channel.unbounded()}. */
  public static final class UnboundedCapacity extends Operations {
    public UnboundedCapacity() {
      super(Channel.unbounded());
    }
  }

  /** The sequential specification: a deque with a capacity and a closed flag. */
  public abstract static class Model {
    private final int capacity;
    private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
    private boolean closed;

    Model(int capacity) {
      this.capacity = capacity;
    }

    public Object trySend(int value) {
      if (closed) {
        return "closed";
      }
      if (buffer.size() == capacity) {
        return false;
      }
      buffer.addLast(value);
      return true;
    }

    public Object tryReceive() {
      if (!buffer.isEmpty()) {
        return buffer.removeFirst();
      }
      return closed ? "closed" : "empty";
    }

    public boolean close() {
      boolean closedNow = !closed;
      closed = true;
      return closedNow;
    }

    public int size() {
      return buffer.size();
    }

    public Object peek() {
      Integer head = buffer.peekFirst();
      return head == null ? "null" : head;
    }

    public boolean contains(int value) {
      return buffer.contains(value);
    }

    public boolean remove(int value) {
      return buffer.removeFirstOccurrence(value);
    }
  }

  /** The model of {@link Capacity1}. */
  public static final class Model1 extends Model {
    public Model1() {
      super(1);
    }
  }

  /** The model of {@link Capacity2}. */
  public static final class Model2 extends Model {
    public Model2() {
      super(2);
    }
  }

  /** The model of {@link UnboundedCapacity}. */
  public static final class UnboundedModel extends Model {
    public UnboundedModel() {
      super(Integer.MAX_VALUE);
    }
  }
}
