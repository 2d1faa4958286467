package dev.sluice.internal;

import dev.sluice.StageStats;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events for pipelines: a stage starting and ending, and each live stage's
 * counters at a period (1 s by default; set it in the recording settings). Events cost almost
 * nothing while no recording is on, and no event class is loaded until JFR has been initialized.
 *
 * <p><b>Implementation overview.</b> {@code LIVE} is a synchronized weak set of started, not yet
 * ended stages; the periodic hook copies it under its lock and snapshots each stage without further
 * synchronisation (snapshots are documented as approximate while a stage runs).
 */
final class PipelineEvents {

  private PipelineEvents() {}

  /** Stages that have started and not ended; weak so a lost stage never leaks. */
  private static final Set<StageRuntime> LIVE =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /**
   * Registers the periodic event on first use. Touching a {@code jdk.jfr.Event} class starts JFR's
   * Java side (a few hundred milliseconds at a CLI's start), so nothing here loads an event class
   * unless JFR is already initialized: by {@code -XX:StartFlightRecording}, a {@code jcmd
   * JFR.start} or a {@code Recording}. Stages started before that have no start event.
   */
  private static final class Periodic {
    static {
      FlightRecorder.addPeriodicEvent(StageStatistics.class, PipelineEvents::emitStatistics);
    }

    static void ensure() {}
  }

  private static boolean recording() {
    if (!FlightRecorder.isInitialized()) {
      return false;
    }
    Periodic.ensure();
    return true;
  }

  @Name("dev.sluice.StageStart")
  @Label("Stage Start")
  @Category({"sluice", "Pipeline"})
  @Description("A pipeline stage started its workers")
  @StackTrace(false)
  static final class StageStart extends Event {
    @Label("Stage")
    String stage;

    @Label("Kind")
    String kind;

    @Label("Workers")
    int workers;
  }

  @Name("dev.sluice.StageEnd")
  @Label("Stage End")
  @Category({"sluice", "Pipeline"})
  @Description("A pipeline stage's last worker exited")
  @StackTrace(false)
  static final class StageEnd extends Event {
    @Label("Stage")
    String stage;

    @Label("Received")
    long received;

    @Label("Emitted")
    long emitted;

    @Label("Failed")
    long failed;

    @Label("Discarded")
    long discarded;
  }

  @Name("dev.sluice.StageStatistics")
  @Label("Stage Statistics")
  @Category({"sluice", "Pipeline"})
  @Description("A live pipeline stage's counters")
  @Period("1 s")
  @StackTrace(false)
  static final class StageStatistics extends Event {
    @Label("Stage")
    String stage;

    @Label("Received")
    long received;

    @Label("Emitted")
    long emitted;

    @Label("Failed")
    long failed;

    @Label("Queued")
    int queued;

    @Label("Busy Workers")
    int busyWorkers;

    @Label("Utilisation")
    double utilisation;
  }

  static void stageStarted(StageRuntime stage) {
    LIVE.add(stage);
    if (!recording()) {
      return;
    }
    StageStart event = new StageStart();
    if (event.isEnabled()) {
      event.stage = stage.name;
      event.kind = stage.kind.label;
      event.workers = stage.options.workers();
      event.commit();
    }
  }

  static void stageEnded(StageRuntime stage) {
    LIVE.remove(stage);
    if (!recording()) {
      return;
    }
    StageEnd event = new StageEnd();
    if (event.isEnabled()) {
      event.stage = stage.name;
      event.received = stage.counters.received();
      event.emitted = stage.counters.emitted();
      event.failed = stage.counters.failed();
      event.discarded = stage.counters.discarded();
      event.commit();
    }
  }

  private static void emitStatistics() {
    StageRuntime[] stages;
    synchronized (LIVE) {
      stages = LIVE.toArray(new StageRuntime[0]);
    }
    long now = System.nanoTime();
    for (StageRuntime stage : stages) {
      StageStats stats = stage.snapshot(now);
      StageStatistics event = new StageStatistics();
      event.stage = stats.name();
      event.received = stats.received();
      event.emitted = stats.emitted();
      event.failed = stats.failed();
      event.queued = stats.queued();
      event.busyWorkers = stats.busyWorkers();
      event.utilisation = stats.utilisation();
      event.commit();
    }
  }
}
