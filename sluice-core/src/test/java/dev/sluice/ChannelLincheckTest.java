package dev.sluice;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks with <a href="https://github.com/JetBrains/lincheck">Lincheck</a> that the non-blocking
 * operations of {@link Channel} are linearizable against {@link Model}, a plain {@link ArrayDeque}
 * with a capacity, a closed flag and the first close cause.
 *
 * <p>The operations: {@code trySend(int)}, {@code tryReceive()}, {@code close()}, {@code
 * close(cause)}, {@code size()}, {@code isClosedForSend()}, {@code isClosedForReceive()} and, in a
 * second set, also {@code cancel(cause)} (which the model runs as one atomic step: close, keeping
 * the first cause, and hand back the buffered items). The two sets are separate tests so that a
 * failure says whether {@code cancel} is involved. A {@link ChannelClosedException} is turned into
 * a result ({@code "closed"}, or {@code "closed:c1"} when the close cause is {@code c1}), so the
 * verifier compares the cause as well as the fact that the operation failed; an empty {@code
 * tryReceive()} returns {@code "empty"}. After each invocation {@link
 * Operations#sizeIsWithinCapacity} checks the final state.
 *
 * <p>Lincheck creates a fresh instance of the tested class (and of the model) for every invocation
 * through its no-argument constructor, so each capacity (1, 2, unbounded) has its own tiny
 * subclasses, such as {@link Capacity1}, {@link Capacity1WithCancel} and {@link Model1}. Each
 * capacity is checked by both strategies: model checking (Lincheck runs the threads one at a time
 * and explores their interleavings, switching threads at shared memory accesses) and stress (real
 * threads, many invocations).
 *
 * <h2>Size</h2>
 *
 * The number of scenarios scales with the system property {@code sluice.stress} (an integer
 * multiplier, 1 by default and in CI, 50 under {@code mvn verify -Psoak}): model checking runs
 * {@code 20 * sluice.stress} scenarios of 3 threads x 3 operations (plus 2 before and 2 after),
 * exploring up to 1,000 interleavings of each; stress runs {@code 30 * sluice.stress} scenarios of
 * the same shape, 1,000 invocations each. At 1 the whole class takes about 3 minutes on a busy
 * 2-core machine (model checking 20-40 s per test, stress under 10 s); a failure takes longer, as
 * Lincheck then minimizes the scenario. Under {@code -Psoak} expect about an hour.
 *
 * <h2>JVM</h2>
 *
 * Lincheck attaches its Java agent at run time, which on JDK 21+ needs {@code
 * -XX:+EnableDynamicAgentLoading} and {@code -Djdk.attach.allowAttachSelf=true} (set in the
 * surefire {@code argLine} of sluice-core), and the tests must run on the class path. Nothing else
 * is needed on JDK 25; Lincheck prints a warning about {@code sun.misc.Unsafe::objectFieldOffset}
 * and one about the field {@code cause}, both harmless.
 */
@Timeout(value = 90, unit = TimeUnit.MINUTES)
class ChannelLincheckTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));

  /** The channels under test, each with its model. */
  enum Kind {
    CAPACITY_1(Capacity1.class, Capacity1WithCancel.class, Model1.class),
    CAPACITY_2(Capacity2.class, Capacity2WithCancel.class, Model2.class),
    UNBOUNDED(UnboundedCapacity.class, UnboundedCapacityWithCancel.class, UnboundedModel.class);

    final Class<? extends Operations> operations;
    final Class<? extends OperationsWithCancel> operationsWithCancel;
    final Class<? extends Model> model;

    Kind(
        Class<? extends Operations> operations,
        Class<? extends OperationsWithCancel> operationsWithCancel,
        Class<? extends Model> model) {
      this.operations = operations;
      this.operationsWithCancel = operationsWithCancel;
      this.model = model;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void nonBlockingOperationsAreLinearizableUnderModelChecking(Kind kind) {
    modelChecking().sequentialSpecification(kind.model).check(kind.operations);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void nonBlockingOperationsAreLinearizableUnderStress(Kind kind) {
    stress().sequentialSpecification(kind.model).check(kind.operations);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void cancelIsAtomicWithTheOtherOperationsUnderModelChecking(Kind kind) {
    modelChecking().sequentialSpecification(kind.model).check(kind.operationsWithCancel);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void cancelIsAtomicWithTheOtherOperationsUnderStress(Kind kind) {
    stress().sequentialSpecification(kind.model).check(kind.operationsWithCancel);
  }

  private static ModelCheckingOptions modelChecking() {
    return new ModelCheckingOptions()
        .iterations(20 * STRESS)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2);
  }

  private static StressOptions stress() {
    return new StressOptions()
        .iterations(30 * STRESS)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2);
  }

  /** The result of an operation that threw {@link ChannelClosedException}. */
  static String closed(@Nullable String cause) {
    return cause == null ? "closed" : "closed:" + cause;
  }

  /** The close cause with the given id: its message is {@code "c" + id}. */
  static final class Cause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cause(int id) {
      super("c" + id, null, false, false);
    }
  }

  /** The operations Lincheck calls concurrently on a real channel, all but {@code cancel}. */
  public abstract static class Operations {
    final Channel<Integer> channel;
    private final int capacity;

    Operations(Channel<Integer> channel) {
      this.channel = channel;
      this.capacity = channel.capacity();
    }

    @Operation
    public Object trySend(@Param(gen = IntGen.class, conf = "1:9") int value) {
      try {
        return channel.trySend(value);
      } catch (ChannelClosedException e) {
        return closed(e);
      }
    }

    @Operation
    public Object tryReceive() {
      try {
        Optional<Integer> item = channel.tryReceive();
        return item.isPresent() ? item.get() : "empty";
      } catch (ChannelClosedException e) {
        return closed(e);
      }
    }

    @Operation
    public boolean close() {
      return channel.close();
    }

    @Operation
    public boolean closeWithCause(@Param(gen = IntGen.class, conf = "1:2") int cause) {
      return channel.close(new Cause(cause));
    }

    @Operation
    public int size() {
      return channel.size();
    }

    @Operation
    public boolean isClosedForSend() {
      return channel.isClosedForSend();
    }

    @Operation
    public boolean isClosedForReceive() {
      return channel.isClosedForReceive();
    }

    /** Checked by Lincheck after each invocation, when all threads have finished. */
    @Validate
    public void sizeIsWithinCapacity() {
      int size = channel.size();
      if (size < 0 || size > capacity) {
        throw new AssertionError("size must be in [0, " + capacity + "]: " + size);
      }
      if (channel.isClosedForReceive() && size != 0) {
        throw new AssertionError("closed for receive but size is " + size);
      }
    }

    private static String closed(ChannelClosedException e) {
      Throwable cause = e.getCause();
      return ChannelLincheckTest.closed(cause == null ? null : cause.getMessage());
    }
  }

  /** The operations of {@link Operations} and {@code cancel}. */
  public abstract static class OperationsWithCancel extends Operations {
    OperationsWithCancel(Channel<Integer> channel) {
      super(channel);
    }

    @Operation
    public List<Integer> cancel(@Param(gen = IntGen.class, conf = "1:2") int cause) {
      return channel.cancel(new Cause(cause));
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

  /** Operations with cancel on {@code Channel.bounded(1)}. */
  public static final class Capacity1WithCancel extends OperationsWithCancel {
    public Capacity1WithCancel() {
      super(Channel.bounded(1));
    }
  }

  /** Operations with cancel on {@code Channel.bounded(2)}. */
  public static final class Capacity2WithCancel extends OperationsWithCancel {
    public Capacity2WithCancel() {
      super(Channel.bounded(2));
    }
  }

  /** Operations with cancel on {@code Channel.unbounded()}. */
  public static final class UnboundedCapacityWithCancel extends OperationsWithCancel {
    public UnboundedCapacityWithCancel() {
      super(Channel.unbounded());
    }
  }

  /**
   * The sequential specification: what each operation does when the operations run one at a time.
   * Its methods have the names and parameter types of those in {@link Operations}.
   */
  public abstract static class Model {
    private final int capacity;
    private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
    private boolean closed;
    private @Nullable String cause;

    Model(int capacity) {
      this.capacity = capacity;
    }

    public Object trySend(int value) {
      if (closed) {
        return closed(cause);
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
      return closed ? closed(cause) : "empty";
    }

    public boolean close() {
      return closeWith(null);
    }

    public boolean closeWithCause(int cause) {
      return closeWith("c" + cause);
    }

    /** Closes (keeping the cause of the first close) and hands back the buffered items. */
    public List<Integer> cancel(int cause) {
      closeWith("c" + cause);
      List<Integer> items = new ArrayList<>(buffer);
      buffer.clear();
      return items;
    }

    public int size() {
      return buffer.size();
    }

    public boolean isClosedForSend() {
      return closed;
    }

    public boolean isClosedForReceive() {
      return closed && buffer.isEmpty();
    }

    private boolean closeWith(@Nullable String cause) {
      if (closed) {
        return false;
      }
      closed = true;
      this.cause = cause;
      return true;
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
