package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Backoff;
import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.ErrorPolicy;
import dev.sluice.FailedItem;
import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.RunnablePipeline;
import dev.sluice.Stage;
import dev.sluice.StageStats;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

/**
 * Random pipelines checked against a model of where every item must end up.
 *
 * <p>Each try builds a pipeline from a seed: a source (an {@code Iterable}, an {@code Iterator}, a
 * {@code Stream}, a {@code Channel} fed by a thread, or 1-4 producers), 1-5 stages of random kinds
 * ({@code map}, {@code flatMap}, {@code filter}, {@code expand} with follow-ups at most 3 deep,
 * {@code batch}), and a terminal ({@code forEach}, or {@code toList} when nothing can stop the
 * run). Every stage has 1-16 workers (1-3 for batch), an input capacity of 1-64, virtual or
 * platform threads from a {@link TrackingThreads}, is unordered, ordered (default or random window)
 * or keyed where the API allows it, and has a random error policy: {@code failFast} (explicit or by
 * default), {@code skip}, {@code deadLetter}, or {@code retry(1-3, none or a fixed backoff of at
 * most 0.2 ms)} then {@code failFast}/{@code skip}/{@code deadLetter}. Items fail at a random rate
 * per stage (0, 0.5%, 3% or 20%): for their first 1 or 2 attempts, or for every attempt. The run
 * goes to the end, or is cancelled through {@code handle.cancel()} by another thread once the
 * terminal has consumed k items (k at most half the source), or times out after 0.1-3 ms; it is run
 * by {@code run()} or by {@code start()} and {@code await()}. A quarter of the tries are
 * <i>ordered</i>: every stage is an ordered {@code map}, {@code filter} or {@code flatMap}, the
 * source keeps its order and the terminal has one worker.
 *
 * <h2>Identities</h2>
 *
 * Every item carries an id: source item {@code i} is {@code "i"}; a map output of {@code x} at
 * stage {@code s} is {@code x>s}; flatMap copy {@code k} is {@code x*s.k}; an expand output is
 * {@code x>s} and its follow-up {@code k} is {@code x^s.k}; a batch is the list of its items (id
 * {@code [a,b,...]}), so a list carries its items. What an item does at a stage (fail on which
 * attempts, how many copies, pass the filter, how many follow-ups, its key) is a function of the
 * seed, the stage and the id, so the checker knows what each call did.
 *
 * <h2>What is recorded</h2>
 *
 * Every call of a stage function (its item, its result: returned, returned false, or threw), every
 * item the source handed over (pulled from the iterator, sent into the channel, or emitted by a
 * producer without an exception), every {@link RunnablePipeline#onDiscard} call, every dead letter,
 * every item the terminal consumed, and the final {@link PipelineStats}.
 *
 * <h2>The accounting rules checked</h2>
 *
 * For every stage {@code s}, the items that <i>entered</i> it are derived from the stage before:
 *
 * <ul>
 *   <li>first stage: what the source handed over ({@code pulled} minus the one item the source
 *       discarded, if any; what the feeder's {@code send} accepted; what producers' {@code emit}
 *       accepted; an item whose {@code emit} threw must be discarded at the source);
 *   <li>after a passed item: its outputs (map: one; filter: the item; flatMap: all its copies;
 *       expand: its output, if it makes one; batch: the lists the next stage saw);
 *   <li>after a failed item: nothing, except the flatMap caveat: a flatMap (or expand) item that
 *       failed without retries keeps the outputs (and follow-ups) it emitted before it threw: the
 *       first {@code j} copies, exactly {@code j} when unordered or when the run succeeded, a
 *       prefix of them otherwise (an ordered stage's held outputs may be dropped by a stop); under
 *       a retry policy an attempt's outputs are held back, so a failed item emits nothing and a
 *       passed one emits exactly once;
 *   <li>after a discarded map or filter item: nothing; after a discarded flatMap or expand item: a
 *       prefix of its outputs (and of its follow-ups) may have entered.
 * </ul>
 *
 * Then every item that entered stage {@code s} (follow-ups included) has exactly one fate there,
 * and nothing else shows up at {@code s}:
 *
 * <ul>
 *   <li><b>discarded</b>: reported once by {@code onDiscard} with the stage's name; never after it
 *       was filtered, and never after a terminal consumed it;
 *   <li>otherwise the function's last call decides: <b>passed</b> (returned), <b>filtered</b>
 *       (returned false) or <b>failed</b> (threw on the last allowed attempt: exactly {@code
 *       maxAttempts} calls; a thrown item with fewer calls must be discarded). Every call before
 *       the last threw (no item is processed again after it passed), and no two calls for one item
 *       overlap. A batch item passed if it is in exactly one list the next stage saw;
 *   <li>a failed item under {@code deadLetter} is in the sink exactly once with the stage, the
 *       cause of its last attempt and its number of calls as attempts; under {@code failFast} it is
 *       the {@link PipelineException}'s item or one of its cause's suppressed failures (unless the
 *       run was cancelled first);
 *   <li>the terminal consumed exactly the items that passed it; an item of an {@code expand} stage
 *       that passed has all its follow-ups entered; no two items with one key are processed at once
 *       in a keyed stage.
 * </ul>
 *
 * Counters: per stage, {@code succeeded}, {@code filtered}, {@code failed}, {@code discarded} and
 * {@code followUps} equal the counts of those fates, {@code emitted} equals what entered the next
 * stage (for the terminal: what it consumed), {@code retried} lies between the retries observed and
 * that plus the items discarded, and the {@link StageStats} invariant holds: upstream {@code
 * emitted} + {@code followUps} = {@code succeeded + filtered + failed + discarded}. The source:
 * {@code received} = handed over + discarded.
 *
 * <p>Outcome: the run succeeds exactly when nothing stopped it (nothing discarded, no fail-fast
 * failure, no effective cancel); a {@code CancellationException} only after a {@code cancel()} that
 * returned true; a {@link PipelineException} names a fail-fast item and stage (or has a {@code
 * TimeoutException} cause and no stage), and its suppressed failures are item failures only (a
 * cancelled worker's {@code InterruptedException} is never reported). {@code cancel()} after {@code
 * await()} returned returns false. Every thread the pipeline made (TrackingThreads, and the thread
 * that pulled the source) has ended when {@code run()}/{@code await()} returns, and a {@code
 * Stream} source is closed. No try may take more than {@link #PER_TRY}. In ordered tries that
 * succeed, the terminal sees exactly the sequential model's output, in source order.
 *
 * <h2>Size</h2>
 *
 * 10,000 tries times {@code sluice.stress} (1 by default and in CI); 0-200 source items per try.
 */
class PipelinePropertyTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));
  private static final Duration PER_TRY = Duration.ofSeconds(30);

  @Property(tries = 10_000)
  @AddLifecycleHook(StressTries.class)
  void everySourceItemIsAccountedForExactlyOnce(
      @ForAll @IntRange(min = 0, max = 200) int items,
      @ForAll @IntRange(min = 1, max = 5) int stages,
      @ForAll long seed)
      throws Exception {
    Trial trial = new Trial(new Plan(items, stages, seed));
    Waiting.within(PER_TRY, trial::runAndCheck, runner -> ": " + trial.diagnose(runner));
    Statistics.label("outcome").collect(trial.outcome);
    Statistics.label("shape")
        .collect(trial.plan.allOrdered ? "all ordered" : "mixed", trial.plan.source);
  }

  /** Multiplies a property's tries by {@code sluice.stress}. */
  static final class StressTries implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(
        PropertyLifecycleContext context, PropertyExecutor property) {
      int tries = context.attributes().tries().orElse(1000);
      context.attributes().setTries(tries * STRESS);
      return property.execute();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Items

  /** An item: its id, and how deep it is in an expand stage's tree of follow-ups. */
  record U(String id, int depth) {
    @Override
    public String toString() {
      return id;
    }
  }

  /** The id of an item or of a batch. */
  static String idOf(Object item) {
    if (item instanceof U u) {
      return u.id();
    }
    if (item instanceof List<?> list) {
      StringBuilder s = new StringBuilder("[");
      for (Object o : list) {
        if (s.length() > 1) {
          s.append(',');
        }
        s.append(idOf(o));
      }
      return s.append(']').toString();
    }
    throw new AssertionError("not a test item: " + item);
  }

  static int depthOf(Object item) {
    return item instanceof U u ? u.depth() : 0;
  }

  /** A planned failure of a stage function. */
  static final class ItemFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final String stage;
    final String id;
    final int attempt;

    ItemFailure(String stage, String id, int attempt) {
      super(
          "planned failure of " + id + " at " + stage + ", attempt " + attempt, null, true, false);
      this.stage = stage;
      this.id = id;
      this.attempt = attempt;
    }
  }

  /** A planned failure of a producer. */
  static final class ProducerFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final int producer;

    ProducerFailure(int producer) {
      super("planned failure of producer " + producer, null, true, false);
      this.producer = producer;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The plan

  enum SourceKind {
    ITERABLE,
    ITERATOR,
    STREAM,
    CHANNEL,
    PRODUCERS
  }

  enum Kind {
    SOURCE,
    MAP,
    FLAT_MAP,
    FILTER,
    EXPAND,
    BATCH,
    FOR_EACH,
    TO_LIST
  }

  enum Then {
    FAIL_FAST,
    SKIP,
    DEAD_LETTER
  }

  enum Ending {
    NONE,
    CANCEL_AFTER,
    TIMEOUT
  }

  /** One stage's random options. */
  static final class StagePlan {
    int index;
    String name = "";
    Kind kind = Kind.MAP;
    int workers = 1;
    int capacity;
    boolean platform;
    int window; // -1: ordered(), 0: unordered
    int keys; // 0: not keyed
    boolean retry;
    boolean explicitThen;
    boolean defaultPolicy;
    int attempts = 1;
    Then then = Then.FAIL_FAST;
    long backoffNanos;
    int failPermille;
    int batchSize;
    long maxWaitNanos;
    int maxDepth;

    /** Whether an attempt's outputs are held back until it succeeds. */
    boolean buffered() {
      return retry && (kind == Kind.FLAT_MAP || kind == Kind.EXPAND);
    }

    boolean ordered() {
      return window != 0;
    }

    @Nullable ErrorPolicy policy(Consumer<? super FailedItem> sink) {
      ErrorPolicy end =
          switch (then) {
            case FAIL_FAST -> ErrorPolicy.failFast();
            case SKIP -> ErrorPolicy.skip();
            case DEAD_LETTER -> ErrorPolicy.deadLetter(sink);
          };
      if (retry) {
        Backoff backoff =
            backoffNanos == 0 ? Backoff.none() : Backoff.fixed(Duration.ofNanos(backoffNanos));
        return explicitThen
            ? ErrorPolicy.retry(attempts, backoff, end)
            : ErrorPolicy.retry(attempts, backoff);
      }
      return defaultPolicy ? null : end;
    }

    @Override
    public String toString() {
      return name
          + "{w="
          + workers
          + ", cap="
          + capacity
          + (platform ? ", platform" : "")
          + (window != 0 ? ", ordered(" + window + ")" : "")
          + (keys > 0 ? ", keyed(" + keys + ")" : "")
          + ", fail="
          + failPermille
          + "‰ "
          + (retry ? "retry(" + attempts + ", " + backoffNanos + "ns) then " : "")
          + then
          + (defaultPolicy ? "(default)" : "")
          + (kind == Kind.BATCH ? ", size=" + batchSize + ", wait=" + maxWaitNanos + "ns" : "")
          + (kind == Kind.EXPAND ? ", depth=" + maxDepth : "")
          + "}";
    }
  }

  /** Everything random about one try, derived from its seed. */
  static final class Plan {
    final int items;
    final long seed;
    final boolean allOrdered;
    final SourceKind source;
    final int producers;
    final int channelCapacity;
    final Ending ending;
    final int cancelAfter;
    final int timeoutMicros;
    final boolean useStart;
    final int[] producerFailsAfter; // -1: never
    final List<StagePlan> stages = new ArrayList<>(); // 0 = source, last = terminal

    Plan(int items, int middle, long seed) {
      this.items = items;
      this.seed = seed;
      SplittableRandom r = new SplittableRandom(seed);
      allOrdered = r.nextInt(4) == 0;
      source = SourceKind.values()[r.nextInt(allOrdered ? 4 : 5)];
      producers = 1 + r.nextInt(4);
      channelCapacity = 1 + r.nextInt(16);
      int e = r.nextInt(10);
      ending = e < 6 ? Ending.NONE : e < 8 ? Ending.CANCEL_AFTER : Ending.TIMEOUT;
      cancelAfter = r.nextInt(items / 2 + 1);
      timeoutMicros = 100 + r.nextInt(2900);
      useStart = ending == Ending.CANCEL_AFTER || r.nextBoolean();

      StagePlan src = new StagePlan();
      src.kind = Kind.SOURCE;
      src.name = source == SourceKind.PRODUCERS ? "produce" : "source";
      src.workers = producers;
      src.platform = r.nextInt(5) == 0;
      randomPolicy(r, src, false);
      stages.add(src);
      producerFailsAfter = new int[producers];
      for (int i = 0; i < producers; i++) {
        boolean fails = source == SourceKind.PRODUCERS && r.nextInt(1000) < src.failPermille * 5;
        producerFailsAfter[i] = fails ? r.nextInt(items / producers + 2) : -1;
      }

      Kind[] middleKinds =
          allOrdered
              ? new Kind[] {Kind.MAP, Kind.FLAT_MAP, Kind.FILTER}
              : new Kind[] {Kind.MAP, Kind.FLAT_MAP, Kind.FILTER, Kind.EXPAND, Kind.BATCH};
      for (int s = 1; s <= middle; s++) {
        StagePlan sp = new StagePlan();
        sp.index = s;
        sp.kind = middleKinds[r.nextInt(middleKinds.length)];
        sp.name = "s" + s + "-" + sp.kind.name().toLowerCase(java.util.Locale.ROOT);
        sp.workers =
            sp.kind == Kind.BATCH
                ? 1 + r.nextInt(3)
                : r.nextInt(3) == 0 ? 1 + r.nextInt(16) : 1 + r.nextInt(4);
        sp.capacity = 1 + r.nextInt(64);
        sp.platform = r.nextInt(5) == 0;
        switch (sp.kind) {
          case MAP, FLAT_MAP, FILTER -> {
            int o = allOrdered ? 1 : r.nextInt(3);
            if (o == 1) {
              sp.window = r.nextBoolean() ? -1 : sp.workers + r.nextInt(3 * sp.workers + 1);
            } else if (o == 2) {
              sp.keys = 1 + r.nextInt(8);
            }
          }
          case BATCH -> {
            if (r.nextInt(3) == 0) {
              sp.window = -1;
            }
            sp.batchSize = 1 + r.nextInt(8);
            sp.maxWaitNanos = 1_000_000L * (1 + r.nextInt(5));
          }
          case EXPAND -> sp.maxDepth = r.nextInt(4);
          default -> throw new AssertionError(sp.kind);
        }
        if (sp.kind != Kind.BATCH) {
          randomPolicy(r, sp, true);
        }
        stages.add(sp);
      }

      StagePlan t = new StagePlan();
      t.index = middle + 1;
      boolean canStop =
          ending != Ending.NONE
              || stages.stream().anyMatch(sp -> sp.failPermille > 0 && sp.then == Then.FAIL_FAST);
      t.kind = !canStop && r.nextInt(3) == 0 ? Kind.TO_LIST : Kind.FOR_EACH;
      if (ending == Ending.CANCEL_AFTER) {
        t.kind = Kind.FOR_EACH;
      }
      t.name = t.kind == Kind.TO_LIST ? "toList" : "s" + t.index + "-forEach";
      t.workers =
          allOrdered || t.kind == Kind.TO_LIST ? 1 : 1 + r.nextInt(r.nextBoolean() ? 16 : 4);
      t.capacity = 1 + r.nextInt(64);
      t.platform = r.nextInt(5) == 0;
      if (t.kind == Kind.FOR_EACH) {
        if (!allOrdered && r.nextInt(3) == 0) {
          t.keys = 1 + r.nextInt(8);
        }
        randomPolicy(r, t, true);
      }
      stages.add(t);
    }

    private static void randomPolicy(SplittableRandom r, StagePlan sp, boolean retries) {
      int[] rates = {0, 0, 0, 5, 30, 200};
      sp.failPermille = rates[r.nextInt(rates.length)];
      int p = r.nextInt(retries ? 5 : 3);
      switch (p) {
        case 0 -> {
          sp.then = Then.FAIL_FAST;
          sp.defaultPolicy = r.nextBoolean();
        }
        case 1 -> sp.then = Then.SKIP;
        case 2 -> sp.then = Then.DEAD_LETTER;
        case 3 -> {
          sp.retry = true;
          sp.then = Then.FAIL_FAST;
        }
        default -> {
          sp.retry = true;
          sp.explicitThen = true;
          sp.then = Then.values()[r.nextInt(3)];
        }
      }
      if (sp.retry) {
        sp.attempts = 1 + r.nextInt(3);
        sp.backoffNanos = r.nextBoolean() ? 0 : r.nextInt(200_000);
      }
    }

    int last() {
      return stages.size() - 1;
    }

    StagePlan stage(int s) {
      return stages.get(s);
    }

    // Per-item decisions: functions of the seed, the stage and the id.

    private long hash(int stage, String id, int salt) {
      long z =
          seed
              ^ (stage * 0x9E3779B97F4A7C15L)
              ^ ((long) id.hashCode() << 21)
              ^ (salt * 0xBF58476D1CE4E5B9L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    private int pick(int stage, String id, int salt, int bound) {
      return (int) Math.floorMod(hash(stage, id, salt), (long) bound);
    }

    /** How many leading attempts throw: 0, 1, 2 or all. */
    int failsUpTo(int s, String id) {
      if (pick(s, id, 1, 1000) >= stage(s).failPermille) {
        return 0;
      }
      return switch (pick(s, id, 2, 3)) {
        case 0 -> 1;
        case 1 -> 2;
        default -> Integer.MAX_VALUE;
      };
    }

    boolean failsOn(int s, String id, int attempt) {
      return attempt <= failsUpTo(s, id);
    }

    boolean passes(int s, String id) {
      return failsUpTo(s, id) < stage(s).attempts;
    }

    int copies(int s, String id) {
      return pick(s, id, 3, 3);
    }

    /** How many copies a failing flatMap attempt emits before it throws. */
    int throwAfter(int s, String id) {
      return pick(s, id, 4, copies(s, id) + 1);
    }

    boolean keep(int s, String id) {
      return pick(s, id, 5, 4) != 0;
    }

    boolean emits(int s, String id) {
      return pick(s, id, 6, 3) != 0;
    }

    int children(int s, Object item) {
      if (depthOf(item) >= stage(s).maxDepth) {
        return 0;
      }
      int c = pick(s, idOf(item), 7, 10);
      return c < 5 ? 0 : c < 8 ? 1 : 2;
    }

    /** Whether a failing expand attempt emits and adds its follow-ups before it throws. */
    boolean workBeforeThrow(int s, String id) {
      return pick(s, id, 8, 2) == 0;
    }

    Object key(int s, Object item) {
      return pick(s, idOf(item), 9, stage(s).keys);
    }

    @Override
    public String toString() {
      return "Plan{items="
          + items
          + ", seed="
          + seed
          + (allOrdered ? ", ALL ORDERED" : "")
          + ", source="
          + source
          + (source == SourceKind.PRODUCERS
              ? " x" + producers + " failAfter=" + java.util.Arrays.toString(producerFailsAfter)
              : "")
          + (source == SourceKind.CHANNEL ? "(cap " + channelCapacity + ")" : "")
          + ", ending="
          + ending
          + (ending == Ending.CANCEL_AFTER ? "(" + cancelAfter + ")" : "")
          + (ending == Ending.TIMEOUT ? "(" + timeoutMicros + "us)" : "")
          + (useStart ? ", start/await" : ", run")
          + ", stages="
          + stages
          + "}";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // A try

  enum Result {
    RET,
    FALSE,
    THROW
  }

  /** The calls of a stage function for one item. */
  static final class Rec {
    final Object item;
    final List<Result> results = new ArrayList<>(1);
    @Nullable Throwable lastThrown;
    boolean inFlight;

    Rec(Object item) {
      this.item = item;
    }

    synchronized int begin(Queue violations, String stage) {
      if (inFlight) {
        violations.add(stage + ": two calls at once for " + idOf(item));
      }
      inFlight = true;
      results.add(null);
      return results.size();
    }

    synchronized void end(Result result, @Nullable Throwable thrown) {
      inFlight = false;
      results.set(results.size() - 1, result);
      lastThrown = thrown;
    }

    synchronized int calls() {
      return results.size();
    }

    synchronized @Nullable Result last() {
      return results.isEmpty() ? null : results.get(results.size() - 1);
    }

    synchronized boolean earlierCallsAllThrew() {
      for (int i = 0; i < results.size() - 1; i++) {
        if (results.get(i) != Result.THROW) {
          return false;
        }
      }
      return true;
    }
  }

  /** A thread-safe list of violations. */
  static final class Queue extends ConcurrentLinkedQueue<String> {
    private static final long serialVersionUID = 1L;
  }

  /** What one stage saw. */
  static final class StageLog {
    final StagePlan plan;
    final ConcurrentHashMap<String, Rec> recs = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<FailedItem> deadLetters = new ConcurrentLinkedQueue<>();
    final ConcurrentHashMap<Object, AtomicInteger> busyKeys = new ConcurrentHashMap<>();

    StageLog(StagePlan plan) {
      this.plan = plan;
    }
  }

  record Discard(String stage, Object item) {}

  @FunctionalInterface
  interface Body {
    boolean run(int attempt) throws Exception;
  }

  /** One run of a plan, and its check. */
  static final class Trial {
    final Plan plan;
    final int n;
    final TrackingThreads virtualThreads = TrackingThreads.virtual();
    final TrackingThreads platformThreads = TrackingThreads.platform();
    final Set<Thread> sourceThreads = ConcurrentHashMap.newKeySet();
    volatile @Nullable Thread feederThread;
    final List<StageLog> logs = new ArrayList<>();
    final Queue violations = new Queue();
    final ConcurrentLinkedQueue<Discard> discards = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Object> delivered = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> pulled = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> handedOver = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> emitThrew = new ConcurrentLinkedQueue<>();
    final Set<Integer> producersThrew = ConcurrentHashMap.newKeySet();
    final AtomicBoolean streamClosed = new AtomicBoolean();
    final CountDownLatch cancelLatch;
    final AtomicReference<@Nullable Boolean> cancelResult = new AtomicReference<>();
    volatile boolean cancelReleasedLate;
    volatile String outcome = "?";

    Trial(Plan plan) {
      this.plan = plan;
      this.n = plan.items;
      for (StagePlan sp : plan.stages) {
        logs.add(new StageLog(sp));
      }
      cancelLatch = new CountDownLatch(plan.ending == Ending.CANCEL_AFTER ? plan.cancelAfter : 0);
    }

    // --- building

    final ConcurrentLinkedQueue<Thread> allThreads = new ConcurrentLinkedQueue<>();
    volatile @Nullable PipelineHandle<?> liveHandle;
    final AtomicReference<@Nullable PipelineStats> lastProgress = new AtomicReference<>();

    ThreadFactory recording(ThreadFactory factory) {
      return task -> {
        Thread t = factory.newThread(task);
        allThreads.add(t);
        return t;
      };
    }

    /** The stacks of every thread, virtual ones included, that runs sluice code (by jcmd). */
    static String sluiceThreads() {
      try {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("pipeline-hang", ".txt");
        java.nio.file.Files.delete(file);
        Process jcmd =
            new ProcessBuilder(
                    java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd")
                        .toString(),
                    Long.toString(ProcessHandle.current().pid()),
                    "Thread.dump_to_file",
                    file.toString())
                .redirectErrorStream(true)
                .start();
        jcmd.getInputStream().readAllBytes();
        if (!jcmd.waitFor(20, TimeUnit.SECONDS)) {
          jcmd.destroyForcibly();
          return "(jcmd did not finish)";
        }
        String dump = java.nio.file.Files.readString(file);
        java.nio.file.Files.delete(file);
        StringBuilder out = new StringBuilder();
        for (String thread : dump.split("\n\n")) {
          if (thread.contains("dev.sluice") || thread.contains("sluice-pipeline")) {
            out.append(thread).append("\n\n");
          }
        }
        return out.toString();
      } catch (java.io.IOException | RuntimeException e) {
        return "(no thread dump: " + e + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "(interrupted)";
      }
    }

    /** The plan, the counters and the stacks of the live threads, for a try that hangs. */
    String diagnose(Thread runner) {
      StringBuilder s = new StringBuilder().append(plan);
      PipelineHandle<?> h = liveHandle;
      PipelineStats snapshot = h != null ? h.stats() : lastProgress.get();
      if (snapshot != null) {
        s.append("\n").append(snapshot.state());
        for (StageStats st : snapshot.stages()) {
          s.append("\n  ").append(st);
        }
      }
      s.append("\n").append(sluiceThreads());
      List<Thread> threads = new ArrayList<>(allThreads);
      threads.addAll(sourceThreads);
      threads.add(runner);
      for (Thread t : threads) {
        if (t.isAlive()) {
          s.append("\n\"").append(t).append("\" ").append(t.getState());
          for (StackTraceElement frame : t.getStackTrace()) {
            s.append("\n    at ").append(frame);
          }
        }
      }
      return s.toString();
    }

    Stage options(StagePlan sp) {
      Stage o =
          Stage.workers(sp.workers)
              .threadFactory(recording(sp.platform ? platformThreads : virtualThreads));
      if (sp.capacity > 0) {
        o = o.capacity(sp.capacity);
      }
      if (sp.window == -1) {
        o = o.ordered();
      } else if (sp.window > 0) {
        o = o.ordered(sp.window);
      }
      if (sp.keys > 0) {
        o = o.<Object>keyedBy(x -> plan.key(sp.index, x));
      }
      StageLog log = logs.get(sp.index);
      ErrorPolicy policy = sp.policy(log.deadLetters::add);
      if (policy != null) {
        o = o.onError(policy);
      }
      return o;
    }

    boolean call(StageLog log, Object x, Body body) throws Exception {
      String id = idOf(x);
      Rec rec = log.recs.computeIfAbsent(id, k -> new Rec(x));
      int attempt = rec.begin(violations, log.plan.name);
      @Nullable AtomicInteger busy = null;
      if (log.plan.keys > 0) {
        busy = log.busyKeys.computeIfAbsent(plan.key(log.plan.index, x), k -> new AtomicInteger());
        if (busy.incrementAndGet() > 1) {
          violations.add(
              log.plan.name + ": two items of key " + plan.key(log.plan.index, x) + " at once");
        }
      }
      try {
        boolean r = body.run(attempt);
        rec.end(r ? Result.RET : Result.FALSE, null);
        return r;
      } catch (Throwable t) {
        rec.end(Result.THROW, t);
        throw t;
      } finally {
        if (busy != null) {
          busy.decrementAndGet();
        }
      }
    }

    void maybeFail(StagePlan sp, String id, int attempt) throws ItemFailure {
      if (plan.failsOn(sp.index, id, attempt)) {
        throw new ItemFailure(sp.name, id, attempt);
      }
    }

    Iterator<Object> trackingIterator() {
      return new Iterator<>() {
        int next;

        @Override
        public boolean hasNext() {
          sourceThreads.add(Thread.currentThread());
          return next < n;
        }

        @Override
        public Object next() {
          sourceThreads.add(Thread.currentThread());
          String id = Integer.toString(next++);
          pulled.add(id);
          return new U(id, 0);
        }
      };
    }

    @SuppressWarnings("unchecked")
    static Pipeline<Object> widen(Pipeline<?> p) {
      return (Pipeline<Object>) p;
    }

    Pipeline<Object> source(@Nullable Channel<Object> channel) {
      return switch (plan.source) {
        case ITERABLE -> Pipeline.from((Iterable<Object>) this::trackingIterator);
        case ITERATOR -> Pipeline.from(trackingIterator());
        case STREAM -> {
          Stream<Object> stream =
              StreamSupport.stream(
                      java.util.Spliterators.spliteratorUnknownSize(
                          trackingIterator(), java.util.Spliterator.ORDERED),
                      false)
                  .onClose(() -> streamClosed.set(true));
          yield Pipeline.from(stream);
        }
        case CHANNEL -> Pipeline.from(Objects.requireNonNull(channel));
        case PRODUCERS -> {
          int producers = plan.producers;
          yield Pipeline.<Object>fromProducers(
              "produce",
              options(plan.stage(0)),
              (i, out) -> {
                int emitted = 0;
                for (int k = i; k < n; k += producers) {
                  if (plan.producerFailsAfter[i] == emitted) {
                    producersThrew.add(i);
                    throw new ProducerFailure(i);
                  }
                  String id = Integer.toString(k);
                  try {
                    out.emit(new U(id, 0));
                  } catch (Throwable t) {
                    emitThrew.add(id);
                    throw t;
                  }
                  handedOver.add(id);
                  emitted++;
                }
                if (plan.producerFailsAfter[i] == emitted) {
                  producersThrew.add(i);
                  throw new ProducerFailure(i);
                }
              });
        }
      };
    }

    Pipeline<Object> addStage(Pipeline<Object> p, StagePlan sp) {
      StageLog log = logs.get(sp.index);
      int s = sp.index;
      return switch (sp.kind) {
        case MAP ->
            p.<Object>map(
                sp.name,
                options(sp),
                x -> {
                  String id = idOf(x);
                  call(
                      log,
                      x,
                      a -> {
                        maybeFail(sp, id, a);
                        return true;
                      });
                  return new U(id + ">" + s, 0);
                });
        case FILTER ->
            p.filter(
                sp.name,
                options(sp),
                x -> {
                  String id = idOf(x);
                  return call(
                      log,
                      x,
                      a -> {
                        maybeFail(sp, id, a);
                        return plan.keep(s, id);
                      });
                });
        case FLAT_MAP ->
            p.<Object>flatMap(
                sp.name,
                options(sp),
                (x, out) -> {
                  String id = idOf(x);
                  call(
                      log,
                      x,
                      a -> {
                        boolean fails = plan.failsOn(s, id, a);
                        int j = fails ? plan.throwAfter(s, id) : plan.copies(s, id);
                        for (int k = 0; k < j; k++) {
                          out.emit(new U(id + "*" + s + "." + k, 0));
                        }
                        maybeFail(sp, id, a);
                        return true;
                      });
                });
        case EXPAND ->
            p.<Object>expand(
                sp.name,
                options(sp),
                (x, out) -> {
                  String id = idOf(x);
                  call(
                      log,
                      x,
                      a -> {
                        boolean fails = plan.failsOn(s, id, a);
                        if (!fails || plan.workBeforeThrow(s, id)) {
                          if (plan.emits(s, id)) {
                            out.emit(new U(id + ">" + s, 0));
                          }
                          int children = plan.children(s, x);
                          for (int k = 0; k < children; k++) {
                            out.followUp(new U(id + "^" + s + "." + k, depthOf(x) + 1));
                          }
                        }
                        maybeFail(sp, id, a);
                        return true;
                      });
                });
        case BATCH ->
            widen(p.batch(sp.name, options(sp), sp.batchSize, Duration.ofNanos(sp.maxWaitNanos)));
        default -> throw new AssertionError(sp.kind);
      };
    }

    RunnablePipeline<?> build(@Nullable Channel<Object> channel) {
      Pipeline<Object> p = source(channel);
      for (int s = 1; s < plan.last(); s++) {
        p = addStage(p, plan.stage(s));
      }
      StagePlan t = plan.stage(plan.last());
      StageLog log = logs.get(t.index);
      RunnablePipeline<?> r;
      if (t.kind == Kind.TO_LIST) {
        r = p.toList();
      } else {
        r =
            p.forEach(
                t.name,
                options(t),
                x -> {
                  String id = idOf(x);
                  call(
                      log,
                      x,
                      a -> {
                        maybeFail(t, id, a);
                        return true;
                      });
                  delivered.add(x);
                  cancelLatch.countDown();
                });
      }
      r = r.onDiscard((stage, item) -> discards.add(new Discard(stage, item)));
      // Snapshots for the diagnosis of a try that hangs (a run() has no handle to ask).
      r = r.progress(Duration.ofSeconds(1), lastProgress::set);
      if (plan.ending == Ending.TIMEOUT) {
        r = r.timeout(Duration.ofNanos(1000L * plan.timeoutMicros));
      }
      return r;
    }

    // --- running

    void runAndCheck() throws Exception {
      @Nullable Channel<Object> channel =
          plan.source == SourceKind.CHANNEL ? Channel.bounded(plan.channelCapacity) : null;
      RunnablePipeline<?> runnable = build(channel);
      @Nullable Thread feeder = null;
      if (channel != null) {
        feeder =
            Thread.ofVirtual()
                .name("feeder")
                .start(
                    () -> {
                      try {
                        for (int i = 0; i < n; i++) {
                          String id = Integer.toString(i);
                          channel.send(new U(id, 0));
                          handedOver.add(id);
                        }
                        channel.close();
                      } catch (ChannelClosedException | InterruptedException e) {
                        // The pipeline stopped and cancelled the channel.
                      }
                    });
        allThreads.add(feeder);
      }
      @Nullable PipelineResult<?> result = null;
      @Nullable RuntimeException thrown = null;
      @Nullable PipelineStats stats;
      @Nullable Thread canceller = null;
      @Nullable PipelineHandle<?> handle = null;
      if (!plan.useStart) {
        try {
          result = runnable.run();
        } catch (PipelineException | CancellationException e) {
          thrown = e;
        }
      } else {
        PipelineHandle<?> h = runnable.start();
        handle = h;
        liveHandle = h;
        if (plan.ending == Ending.CANCEL_AFTER) {
          canceller =
              Thread.ofVirtual()
                  .name("canceller")
                  .start(
                      () -> {
                        try {
                          cancelLatch.await();
                        } catch (InterruptedException e) {
                          return;
                        }
                        cancelResult.set(h.cancel());
                      });
        }
        try {
          result = h.await();
        } catch (PipelineException | CancellationException e) {
          thrown = e;
        }
        if (!h.isDone()) {
          violations.add("isDone() is false after await() returned");
        }
      }
      // Every thread of the pipeline has ended by now.
      virtualThreads.assertAllEnded();
      platformThreads.assertAllEnded();
      for (Thread t : sourceThreads) {
        assertThat(t.isAlive()).as("source thread %s is alive after the run", t).isFalse();
      }
      if (canceller != null) {
        if (cancelLatch.getCount() > 0) {
          cancelReleasedLate = true;
          while (cancelLatch.getCount() > 0) {
            cancelLatch.countDown();
          }
        }
        canceller.join();
      }
      if (feeder != null) {
        feeder.join(Duration.ofSeconds(10));
        assertThat(feeder.isAlive()).as("feeder still alive: %s", plan).isFalse();
      }
      if (result != null) {
        stats = result.stats();
        outcome = "succeeded";
      } else if (thrown instanceof PipelineException pe) {
        stats = pe.stats();
      } else {
        stats = handle != null ? handle.stats() : null;
      }
      if (thrown instanceof CancellationException) {
        outcome = "cancelled";
      } else if (thrown != null) {
        outcome = thrown.getCause() instanceof TimeoutException ? "timed out" : "failed fast";
      }
      if (stats == null) {
        violations.add("no stats after the run: " + thrown);
      } else {
        check(result, thrown, stats);
      }
      if (!violations.isEmpty()) {
        StringBuilder message = new StringBuilder();
        message.append(violations.size()).append(" violation(s) in ").append(plan);
        message.append("\noutcome: ").append(result != null ? "succeeded" : String.valueOf(thrown));
        violations.stream().limit(30).forEach(v -> message.append("\n- ").append(v));
        if (stats != null) {
          for (StageStats st : stats.stages()) {
            message.append("\n  ").append(st);
          }
        }
        AssertionError error = new AssertionError(message.toString());
        if (thrown != null) {
          error.initCause(thrown);
        }
        throw error;
      }
    }

    // --- checking

    void violation(String format, Object... args) {
      violations.add(String.format(format, args));
    }

    @SuppressWarnings("unchecked")
    void check(
        @Nullable PipelineResult<?> result,
        @Nullable RuntimeException thrown,
        PipelineStats stats) {
      int last = plan.last();
      boolean succeeded = result != null;
      if (stats.stages().size() != last + 1) {
        violation("stats have %d stages, expected %d", stats.stages().size(), last + 1);
        return;
      }
      for (int s = 0; s <= last; s++) {
        if (!stats.stages().get(s).name().equals(plan.stage(s).name)) {
          violation(
              "stage %d is named %s, expected %s",
              s, stats.stages().get(s).name(), plan.stage(s).name);
        }
      }
      // Discards by stage.
      Map<String, Integer> indexOf = new HashMap<>();
      for (int s = 0; s <= last; s++) {
        indexOf.put(plan.stage(s).name, s);
      }
      List<Map<String, Integer>> discCount = new ArrayList<>();
      List<List<Object>> disc = new ArrayList<>();
      for (int s = 0; s <= last; s++) {
        discCount.add(new HashMap<>());
        disc.add(new ArrayList<>());
      }
      for (Discard d : discards) {
        Integer s = indexOf.get(d.stage());
        if (s == null) {
          violation("discard reported for unknown stage '%s': %s", d.stage(), d.item());
          continue;
        }
        disc.get(s).add(d.item());
        discCount.get(s).merge(idOf(d.item()), 1, Integer::sum);
      }
      if (succeeded) {
        if (!discards.isEmpty()) {
          violation(
              "the run succeeded but %d items were discarded, e.g. %s",
              discards.size(), discards.peek());
        }
        if (stats.state() != PipelineStats.State.SUCCEEDED) {
          violation("result stats state %s", stats.state());
        }
      }
      @Nullable List<Object> listValue =
          result != null && result.value() instanceof List<?> l ? (List<Object>) l : null;

      // What each stage saw (observed), computed from the terminal back, because a batch's items
      // are seen in the lists that reach the next stage.
      List<Map<String, Object>> obs = new ArrayList<>();
      List<Map<String, Integer>> inLists = new ArrayList<>();
      for (int s = 0; s <= last; s++) {
        obs.add(new LinkedHashMap<>());
        inLists.add(new HashMap<>());
      }
      for (int s = last; s >= 1; s--) {
        StagePlan sp = plan.stage(s);
        Map<String, Object> o = obs.get(s);
        for (Object item : disc.get(s)) {
          o.put(idOf(item), item);
        }
        switch (sp.kind) {
          case BATCH -> {
            for (Object item : obs.get(s + 1).values()) {
              if (item instanceof List<?> list) {
                if (list.isEmpty() || list.size() > sp.batchSize) {
                  violation(
                      "%s emitted a batch of %d items (size %d)",
                      sp.name, list.size(), sp.batchSize);
                }
                for (Object e : list) {
                  o.put(idOf(e), e);
                  inLists.get(s).merge(idOf(e), 1, Integer::sum);
                }
              }
            }
          }
          case TO_LIST -> {
            if (listValue != null) {
              for (Object e : listValue) {
                o.put(idOf(e), e);
                inLists.get(s).merge(idOf(e), 1, Integer::sum);
              }
            }
          }
          default -> {
            for (Rec rec : logs.get(s).recs.values()) {
              o.put(idOf(rec.item), rec.item);
            }
          }
        }
      }

      // The source.
      Map<String, Object> must = new LinkedHashMap<>();
      Map<String, Object> may = new HashMap<>();
      List<List<String>> prefixGroups = new ArrayList<>();
      StageStats src = stats.stages().get(0);
      switch (plan.source) {
        case ITERABLE, ITERATOR, STREAM -> {
          Set<String> pulledSet = new HashSet<>(pulled);
          if (pulledSet.size() != pulled.size()) {
            violation("the source was pulled twice for some item: %s", pulled);
          }
          for (Object d : disc.get(0)) {
            if (!pulledSet.contains(idOf(d))) {
              violation("source discarded %s, never pulled", d);
            }
          }
          if (disc.get(0).size() > 1) {
            violation("source discarded %d items; it holds at most one", disc.get(0).size());
          }
          for (String id : pulled) {
            if (!discCount.get(0).containsKey(id)) {
              must.put(id, new U(id, 0));
            }
          }
          expectEq("source received", src.received(), pulled.size());
          expectEq("source emitted", src.emitted(), must.size());
          expectEq("source discarded", src.discarded(), disc.get(0).size());
          if (succeeded && pulled.size() != n) {
            violation("succeeded but the source was pulled %d times of %d", pulled.size(), n);
          }
          if (plan.source == SourceKind.STREAM && !streamClosed.get()) {
            violation("the stream source was not closed");
          }
        }
        case CHANNEL -> {
          for (String id : handedOver) {
            must.put(id, new U(id, 0));
          }
          if (!disc.get(0).isEmpty()) {
            violation("a channel source discarded %s", disc.get(0));
          }
          expectEq("channel source emitted (taken)", src.emitted(), must.size());
          if (succeeded && must.size() != n) {
            violation("succeeded but only %d of %d items were sent", must.size(), n);
          }
        }
        case PRODUCERS -> {
          for (String id : handedOver) {
            must.put(id, new U(id, 0));
          }
          Set<String> threw = new HashSet<>(emitThrew);
          Set<String> discIds = new HashSet<>(discCount.get(0).keySet());
          if (!threw.equals(discIds)) {
            violation(
                "items whose emit threw %s != items discarded at the source %s", threw, discIds);
          }
          discCount
              .get(0)
              .forEach(
                  (id, c) -> {
                    if (c > 1) {
                      violation("source discarded %s %d times", id, c);
                    }
                  });
          expectEq("producers received", src.received(), handedOver.size() + emitThrew.size());
          expectEq("producers emitted", src.emitted(), handedOver.size());
          expectEq("producers discarded", src.discarded(), disc.get(0).size());
          if (src.failed() > producersThrew.size()) {
            violation(
                "producers failed %d > producers that threw %s", src.failed(), producersThrew);
          }
          StagePlan sp = plan.stage(0);
          if (sp.then == Then.DEAD_LETTER) {
            expectEq("producer dead letters", logs.get(0).deadLetters.size(), src.failed());
            Set<Integer> lettered = new HashSet<>();
            for (FailedItem f : logs.get(0).deadLetters) {
              if (!(f.cause() instanceof ProducerFailure pf)
                  || !f.item().equals("producer " + pf.producer)
                  || !f.stage().equals("produce")
                  || f.attempts() != 1) {
                violation("bad producer dead letter %s", f);
              } else if (!producersThrew.contains(pf.producer)) {
                violation("dead letter for producer %d, which did not throw", pf.producer);
              } else if (!lettered.add(pf.producer)) {
                violation("producer %d dead-lettered twice", pf.producer);
              }
            }
            if (succeeded && !lettered.equals(producersThrew)) {
              violation(
                  "producers dead-lettered %s, producers that threw %s", lettered, producersThrew);
            }
          }
          if (succeeded) {
            if (sp.then == Then.FAIL_FAST && !producersThrew.isEmpty()) {
              violation("succeeded although producers %s failed under failFast", producersThrew);
            }
            expectEq("producers failed (succeeded run)", src.failed(), producersThrew.size());
            int expected = 0;
            for (int i = 0; i < plan.producers; i++) {
              int count = 0;
              for (int k = i; k < n; k += plan.producers) {
                count++;
              }
              int fa = plan.producerFailsAfter[i];
              expected += fa >= 0 ? Math.min(fa, count) : count;
            }
            expectEq("producer items handed over (succeeded run)", handedOver.size(), expected);
          }
        }
      }
      if (src.received() != src.emitted() + src.discarded()) {
        violation(
            "source: received %d != emitted %d + discarded %d",
            src.received(), src.emitted(), src.discarded());
      }

      // Fail-fast failures seen, for the outcome check.
      Set<String> failFastFailed = new HashSet<>(); // "stage|id"
      Set<String> thrownDiscarded = new HashSet<>(); // failed while the run stopped: discarded

      for (int s = 1; s <= last; s++) {
        StagePlan sp = plan.stage(s);
        StageLog log = logs.get(s);
        Map<String, Object> o = obs.get(s);
        StageStats st = stats.stages().get(s);
        boolean terminal = s == last;

        // Follow-ups of an expand stage enter it too.
        Map<String, List<String>> followUpsOf = new HashMap<>();
        int followUps = 0;
        if (sp.kind == Kind.EXPAND) {
          String marker = "^" + s + ".";
          for (String id : o.keySet()) {
            int at = id.lastIndexOf(marker);
            if (at < 0) {
              continue;
            }
            followUps++;
            String parent = id.substring(0, at);
            int k = Integer.parseInt(id.substring(at + marker.length()));
            Rec prec = log.recs.get(parent);
            if (prec == null) {
              violation("%s: follow-up %s of %s, which never ran", sp.name, id, parent);
              continue;
            }
            if (k >= plan.children(s, prec.item)) {
              violation("%s: follow-up %s was never made", sp.name, id);
            }
            followUpsOf.computeIfAbsent(parent, p -> new ArrayList<>()).add(id);
          }
        }
        // Nothing invented, nothing lost.
        for (String id : o.keySet()) {
          boolean followUp = sp.kind == Kind.EXPAND && id.contains("^" + s + ".");
          if (!followUp && !must.containsKey(id) && !may.containsKey(id)) {
            violation("%s saw %s, which never entered it", sp.name, id);
          }
        }
        for (String id : must.keySet()) {
          if (!o.containsKey(id)) {
            violation("%s: %s entered but has no fate (not processed, not discarded)", sp.name, id);
          }
        }
        for (List<String> group : prefixGroups) {
          boolean gap = false;
          for (String id : group) {
            if (!o.containsKey(id)) {
              gap = true;
            } else if (gap) {
              violation("%s: outputs of one item entered with a gap: %s", sp.name, group);
              break;
            }
          }
        }

        // Fates.
        long passed = 0;
        long filtered = 0;
        long failed = 0;
        long observedRetries = 0;
        long discardedTaken = 0;
        Map<String, Object> nextMust = new LinkedHashMap<>();
        Map<String, Object> nextMay = new HashMap<>();
        List<List<String>> nextGroups = new ArrayList<>();
        Set<String> failedIds = new HashSet<>();
        discCount
            .get(s)
            .forEach(
                (id, c) -> {
                  if (c > 1) {
                    violation("%s discarded %s %d times", sp.name, id, c);
                  }
                });
        for (Map.Entry<String, Object> e : o.entrySet()) {
          String id = e.getKey();
          Object x = e.getValue();
          boolean discarded = discCount.get(s).containsKey(id);
          Fate fate;
          @Nullable Rec rec = log.recs.get(id);
          if (rec != null) {
            int calls = rec.calls();
            observedRetries += calls - 1;
            if (!rec.earlierCallsAllThrew()) {
              violation(
                  "%s: %s was processed again after a call returned (calls %s)",
                  sp.name, id, rec.results);
            }
            if (calls > sp.attempts) {
              violation(
                  "%s: %s was called %d times, at most %d allowed",
                  sp.name, id, calls, sp.attempts);
            }
          }
          if (sp.kind == Kind.BATCH || sp.kind == Kind.TO_LIST) {
            int lists = inLists.get(s).getOrDefault(id, 0);
            if (lists > 1) {
              violation("%s: %s is in %d lists", sp.name, id, lists);
            }
            if (discarded && lists > 0) {
              violation("%s: %s both discarded and in a list", sp.name, id);
            }
            fate = discarded ? Fate.DISCARDED : Fate.PASSED;
          } else if (discarded) {
            fate = Fate.DISCARDED;
            if (rec != null) {
              discardedTaken++;
              Result lastResult = rec.last();
              if (lastResult == Result.FALSE) {
                violation("%s: %s was filtered and also discarded", sp.name, id);
              }
              if (terminal && lastResult == Result.RET) {
                violation("%s: %s was consumed and also discarded", sp.name, id);
              }
              if (rec.lastThrown instanceof ItemFailure) {
                thrownDiscarded.add(sp.name + "|" + id);
              }
            }
          } else if (rec == null) {
            violation("%s: %s has no fate", sp.name, id);
            continue;
          } else {
            Result lastResult = rec.last();
            if (lastResult == null) {
              violation("%s: %s call never ended", sp.name, id);
              continue;
            }
            fate =
                switch (lastResult) {
                  case RET -> Fate.PASSED;
                  case FALSE -> Fate.FILTERED;
                  case THROW -> Fate.FAILED;
                };
            if (fate == Fate.FAILED) {
              if (rec.calls() != sp.attempts) {
                violation(
                    "%s: %s gave up after %d of %d attempts and was not discarded",
                    sp.name, id, rec.calls(), sp.attempts);
              }
              if (!(rec.lastThrown instanceof ItemFailure)) {
                violation("%s: %s counted failed by an unplanned %s", sp.name, id, rec.lastThrown);
              }
            }
          }
          switch (fate) {
            case PASSED -> passed++;
            case FILTERED -> filtered++;
            case FAILED -> {
              failed++;
              failedIds.add(id);
              if (sp.then == Then.FAIL_FAST) {
                failFastFailed.add(sp.name + "|" + id);
              }
            }
            case DISCARDED -> {}
          }
          if (terminal) {
            continue;
          }
          // What enters the next stage.
          switch (sp.kind) {
            case MAP -> {
              if (fate == Fate.PASSED) {
                nextMust.put(id + ">" + s, x);
              }
            }
            case FILTER -> {
              if (fate == Fate.PASSED) {
                nextMust.put(id, x);
              }
            }
            case FLAT_MAP -> {
              int copies = plan.copies(s, id);
              List<String> group = new ArrayList<>();
              for (int k = 0; k < copies; k++) {
                group.add(id + "*" + s + "." + k);
              }
              if (fate == Fate.PASSED) {
                group.forEach(c -> nextMust.put(c, x));
              } else if (fate == Fate.FAILED && !sp.buffered()) {
                List<String> emitted = group.subList(0, plan.throwAfter(s, id));
                if (!sp.ordered() || succeeded) {
                  emitted.forEach(c -> nextMust.put(c, x));
                } else {
                  emitted.forEach(c -> nextMay.put(c, x));
                  nextGroups.add(emitted);
                }
              } else if (fate == Fate.DISCARDED && rec != null) {
                group.forEach(c -> nextMay.put(c, x));
                nextGroups.add(group);
              }
            }
            case EXPAND -> {
              boolean emits = plan.emits(s, id);
              int children = rec == null ? 0 : plan.children(s, x);
              List<String> kids = followUpsOf.getOrDefault(id, List.of());
              boolean workDone =
                  fate == Fate.PASSED
                      || (fate == Fate.FAILED && !sp.buffered() && plan.workBeforeThrow(s, id));
              if (workDone) {
                if (emits) {
                  nextMust.put(id + ">" + s, x);
                }
                if (kids.size() != children) {
                  violation(
                      "%s: %s (%s) made %d follow-ups, %d entered",
                      sp.name, id, fate, children, kids.size());
                }
              } else if (fate == Fate.DISCARDED) {
                if (emits) {
                  nextMay.put(id + ">" + s, x);
                }
                for (String kid : kids) {
                  int k = Integer.parseInt(kid.substring(kid.lastIndexOf('.') + 1));
                  if (k >= kids.size()) {
                    violation(
                        "%s: follow-ups of discarded %s entered with a gap: %s", sp.name, id, kids);
                  }
                }
              } else if (!kids.isEmpty()) {
                violation("%s: %s (%s) has follow-ups %s", sp.name, id, fate, kids);
              }
            }
            case BATCH -> {}
            default -> throw new AssertionError(sp.kind);
          }
        }
        if (sp.kind == Kind.BATCH) {
          for (Map.Entry<String, Object> e : obs.get(s + 1).entrySet()) {
            if (e.getValue() instanceof List<?>) {
              nextMust.put(e.getKey(), e.getValue());
            }
          }
        }

        // Dead letters.
        if (sp.then == Then.DEAD_LETTER) {
          Map<String, Integer> letters = new HashMap<>();
          for (FailedItem f : log.deadLetters) {
            String id = idOf(f.item());
            letters.merge(id, 1, Integer::sum);
            Rec rec = log.recs.get(id);
            if (!f.stage().equals(sp.name)) {
              violation("dead letter names stage %s, expected %s", f.stage(), sp.name);
            }
            if (rec == null || f.attempts() != rec.calls()) {
              violation(
                  "%s: dead letter %s has attempts %d, calls %s",
                  sp.name, id, f.attempts(), rec == null ? "none" : rec.calls());
            }
            if (!(f.cause() instanceof ItemFailure fi)
                || !fi.id.equals(id)
                || fi.attempt != f.attempts()) {
              violation("%s: dead letter %s has cause %s", sp.name, id, f.cause());
            }
          }
          if (!letters.keySet().equals(failedIds)) {
            violation(
                "%s: dead letters %s != failed items %s", sp.name, letters.keySet(), failedIds);
          }
          letters.forEach(
              (id, c) -> {
                if (c > 1) {
                  violation("%s: %s dead-lettered %d times", sp.name, id, c);
                }
              });
        } else if (!log.deadLetters.isEmpty()) {
          violation("%s: dead letters without a dead-letter policy", sp.name);
        }

        // Counters.
        long discardedHere = disc.get(s).size();
        expectEq(sp.name + " succeeded", st.succeeded(), passed);
        expectEq(sp.name + " filtered", st.filtered(), filtered);
        expectEq(sp.name + " failed", st.failed(), failed);
        expectEq(sp.name + " discarded", st.discarded(), discardedHere);
        expectEq(sp.name + " followUps", st.followUps(), followUps);
        if (st.retried() < observedRetries || st.retried() > observedRetries + discardedTaken) {
          violation(
              "%s retried %d, observed %d retries and %d taken items discarded",
              sp.name, st.retried(), observedRetries, discardedTaken);
        }
        if (terminal) {
          expectEq(sp.name + " emitted (delivered)", st.emitted(), passed);
        } else {
          String nextMarker = "^" + (s + 1) + ".";
          long nextFollowUps =
              plan.stage(s + 1).kind == Kind.EXPAND
                  ? obs.get(s + 1).keySet().stream().filter(id -> id.contains(nextMarker)).count()
                  : 0;
          expectEq(sp.name + " emitted", st.emitted(), obs.get(s + 1).size() - nextFollowUps);
        }
        must = nextMust;
        may = nextMay;
        prefixGroups = nextGroups;
      }

      checkOutcome(result, thrown, stats, failFastFailed, thrownDiscarded);

      if (plan.allOrdered && succeeded) {
        List<String> expected = sequentialModel();
        List<String> actual =
            (plan.stage(last).kind == Kind.TO_LIST && listValue != null
                    ? listValue.stream()
                    : delivered.stream())
                .map(PipelinePropertyTest::idOf)
                .toList();
        if (!actual.equals(expected)) {
          violation("ordered pipeline delivered %s, the sequential model %s", actual, expected);
        }
      }
    }

    /** The output of an all-ordered pipeline, computed one item at a time. */
    List<String> sequentialModel() {
      List<String> seq = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        seq.add(Integer.toString(i));
      }
      for (int s = 1; s <= plan.last(); s++) {
        StagePlan sp = plan.stage(s);
        List<String> next = new ArrayList<>();
        for (String id : seq) {
          boolean passes = plan.passes(s, id);
          switch (sp.kind) {
            case MAP -> {
              if (passes) {
                next.add(id + ">" + s);
              }
            }
            case FILTER -> {
              if (passes && plan.keep(s, id)) {
                next.add(id);
              }
            }
            case FLAT_MAP -> {
              int j = passes ? plan.copies(s, id) : sp.buffered() ? 0 : plan.throwAfter(s, id);
              for (int k = 0; k < j; k++) {
                next.add(id + "*" + s + "." + k);
              }
            }
            case FOR_EACH -> {
              if (passes) {
                next.add(id);
              }
            }
            case TO_LIST -> next.add(id);
            default -> throw new AssertionError(sp.kind);
          }
        }
        seq = next;
      }
      return seq;
    }

    void checkOutcome(
        @Nullable PipelineResult<?> result,
        @Nullable RuntimeException thrown,
        PipelineStats stats,
        Set<String> failFastFailed,
        Set<String> thrownDiscarded) {
      Boolean cancelled = cancelResult.get();
      if (cancelReleasedLate && Boolean.TRUE.equals(cancelled)) {
        violation("cancel() returned true after await() had returned");
      }
      boolean producerFailFast =
          plan.source == SourceKind.PRODUCERS
              && plan.stage(0).then == Then.FAIL_FAST
              && !producersThrew.isEmpty();
      if (result != null) {
        if (!failFastFailed.isEmpty()) {
          violation("succeeded despite fail-fast failures %s", failFastFailed);
        }
        if (Boolean.TRUE.equals(cancelled) && !cancelReleasedLate) {
          violation("succeeded although cancel() returned true");
        }
        return;
      }
      if (thrown instanceof CancellationException) {
        if (!Boolean.TRUE.equals(cancelled)) {
          violation("CancellationException without a successful cancel(): %s", thrown);
        }
        if (stats.state() != PipelineStats.State.CANCELLED) {
          violation("cancelled run's state is %s", stats.state());
        }
        return;
      }
      PipelineException e = (PipelineException) Objects.requireNonNull(thrown);
      if (stats.state() != PipelineStats.State.FAILED) {
        violation("failed run's state is %s", stats.state());
      }
      if (Boolean.TRUE.equals(cancelled)) {
        violation("PipelineException %s although cancel() returned true", e);
      }
      Throwable cause = e.getCause();
      Set<String> reported = new HashSet<>();
      if (cause instanceof TimeoutException) {
        if (plan.ending != Ending.TIMEOUT) {
          violation("timed out without a timeout: %s", e);
        }
        if (e.stage() != null) {
          violation("timeout names stage %s", e.stage());
        }
      } else if (cause instanceof ItemFailure f) {
        reported.add(f.stage + "|" + f.id);
        if (!f.stage.equals(e.stage()) || e.item() == null || !idOf(e.item()).equals(f.id)) {
          violation("exception names %s/%s, its cause %s/%s", e.stage(), e.item(), f.stage, f.id);
        }
        if (!e.getMessage().contains("'" + f.stage + "'") || !e.getMessage().contains(f.id)) {
          violation("message does not name stage and item: %s", e.getMessage());
        }
      } else if (cause instanceof ProducerFailure pf) {
        if (!producerFailFast
            || !"produce".equals(e.stage())
            || !("producer " + pf.producer).equals(e.item())) {
          violation("producer failure reported as %s/%s", e.stage(), e.item());
        }
      } else {
        violation("unexpected cause %s", cause);
      }
      if (cause != null) {
        for (Throwable sup : cause.getSuppressed()) {
          if (sup instanceof ItemFailure f) {
            reported.add(f.stage + "|" + f.id);
          } else if (sup instanceof ProducerFailure pf) {
            // Whatever the producers' policy: a producer that fails while the run stops has its
            // failure attached here rather than lost. But it must be one that threw.
            if (!producersThrew.contains(pf.producer)) {
              violation("suppressed failure of producer %d, which did not throw", pf.producer);
            }
          } else if (!(sup instanceof TimeoutException && plan.ending == Ending.TIMEOUT)) {
            // A timeout that raced with a fail-fast failure may be attached to it: both happened.
            violation("suppressed %s is not an item failure", sup);
          }
        }
      }
      for (String f : reported) {
        if (!failFastFailed.contains(f) && !thrownDiscarded.contains(f)) {
          violation("reported failure %s is neither a fail-fast failure nor a discarded item", f);
        }
      }
      for (String f : failFastFailed) {
        if (!reported.contains(f)) {
          violation("fail-fast failure %s neither the cause nor suppressed", f);
        }
      }
      if (failFastFailed.isEmpty() && !producerFailFast && plan.ending != Ending.TIMEOUT) {
        violation("failed with no fail-fast failure and no timeout: %s", e);
      }
    }

    void expectEq(String what, long actual, long expected) {
      if (actual != expected) {
        violation("%s: %d, expected %d", what, actual, expected);
      }
    }
  }

  enum Fate {
    PASSED,
    FILTERED,
    FAILED,
    DISCARDED
  }
}
