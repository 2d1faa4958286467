package dev.sluice;

import dev.sluice.internal.TimelineSvg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Records a pipeline's work in flight over time and draws it as an SVG chart: at every snapshot,
 * each stage's busy workers (items being processed) and queued items (waiting in its input).
 *
 * <pre>{@code
 * Timeline timeline = Timeline.create();
 * pipeline.progress(Duration.ofMillis(50), timeline).run();
 * timeline.writeSvg(Path.of("timeline.svg"));
 * }</pre>
 *
 * <p>The SVG shows a title, a stacked area chart of the work in flight in the whole pipeline with a
 * legend naming each stage, and below it one chart per stage: its busy workers against its worker
 * count (a stage at its worker count all along is saturated), and how full its input was. Times are
 * in seconds since the pipeline started. The snapshot period sets the resolution: busy workers are
 * sampled, not integrated, so a burst shorter than the period may not show.
 *
 * <p>A timeline records one run. Once a run has finished, the next snapshot (of a new run) starts a
 * new recording. Each sample takes a few dozen bytes per stage: an hour at a 50 ms period, about
 * 72,000 samples, is a few MB. Charts of more than 2,000 samples average neighbouring samples so
 * that the file stays small.
 *
 * <p><b>Memory consistency effects:</b> recording and reading are guarded by a lock, so {@link
 * #samples()}, {@link #toSvg()} and {@link #writeSvg} may be called from any thread, also while the
 * pipeline runs, and see every sample recorded before.
 *
 * @see Progress
 */
public final class Timeline implements ProgressListener {

  /**
   * One stage at one instant.
   *
   * @param name the stage's name
   * @param kind what the stage does, as in {@link StageStats#kind()}
   * @param busyWorkers workers processing an item: the stage's work in flight
   * @param workers the stage's worker count
   * @param queued items waiting in the stage's input
   * @param capacity the input's capacity ({@code Integer.MAX_VALUE} if unbounded, 0 for the source)
   */
  public record StageSample(
      String name, String kind, int busyWorkers, int workers, int queued, int capacity) {

    /**
     * Checks the name.
     *
     * @param name the name
     * @param kind the kind
     * @param busyWorkers busy workers
     * @param workers worker count
     * @param queued queued items
     * @param capacity input capacity
     */
    public StageSample {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * Every stage at one instant.
   *
   * @param elapsed time since the pipeline started
   * @param stages each stage, the source first
   */
  public record Sample(Duration elapsed, List<StageSample> stages) {

    /**
     * Copies the list.
     *
     * @param elapsed time since start
     * @param stages the stages
     */
    public Sample {
      Objects.requireNonNull(elapsed, "elapsed");
      stages = List.copyOf(stages);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final @Nullable String title;

  // Guarded by lock.
  private final List<Sample> samples = new ArrayList<>();
  private PipelineStats.@Nullable State endState;

  private Timeline(@Nullable String title) {
    this.title = title;
  }

  /**
   * A new, empty timeline, whose chart is titled after the pipeline's stages.
   *
   * <pre>{@code
   * Timeline timeline = Timeline.create();
   * pipeline.progress(Duration.ofMillis(50), timeline).run();
   * }</pre>
   *
   * @return the timeline
   */
  public static Timeline create() {
    return new Timeline(null);
  }

  /**
   * A new, empty timeline whose chart has the title {@code title}.
   *
   * <pre>{@code
   * Timeline timeline = Timeline.create("sluice dupes /usr/share");
   * }</pre>
   *
   * @param title the chart's title
   * @return the timeline
   */
  public static Timeline create(String title) {
    return new Timeline(Objects.requireNonNull(title, "title"));
  }

  /**
   * Records a sample of {@code stats}.
   *
   * @param stats the snapshot
   */
  @Override
  public void onProgress(PipelineStats stats) {
    record(stats, false);
  }

  /**
   * Records the last sample of the run and its end state.
   *
   * @param stats the final snapshot
   */
  @Override
  public void onFinish(PipelineStats stats) {
    record(stats, true);
  }

  private void record(PipelineStats stats, boolean last) {
    List<StageSample> stages = new ArrayList<>(stats.stages().size());
    for (StageStats stage : stats.stages()) {
      stages.add(
          new StageSample(
              stage.name(),
              stage.kind(),
              stage.busyWorkers(),
              stage.workers(),
              stage.queued(),
              stage.capacity()));
    }
    Sample sample = new Sample(stats.elapsed(), stages);
    lock.lock();
    try {
      if (endState != null) {
        samples.clear();
        endState = null;
      }
      samples.add(sample);
      if (last) {
        endState = stats.state();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The samples recorded so far, oldest first.
   *
   * <pre>{@code
   * int peak = timeline.samples().stream()
   *     .mapToInt(s -> s.stages().get(2).busyWorkers())
   *     .max().orElse(0);
   * }</pre>
   *
   * @return an immutable copy
   */
  public List<Sample> samples() {
    lock.lock();
    try {
      return List.copyOf(samples);
    } finally {
      lock.unlock();
    }
  }

  /**
   * How the recorded run ended, once it has.
   *
   * <pre>{@code
   * timeline.state().ifPresent(state -> System.out.println("ended " + state));
   * }</pre>
   *
   * @return the end state, empty while the run goes on or before it started
   */
  public Optional<PipelineStats.State> state() {
    lock.lock();
    try {
      return Optional.ofNullable(endState);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The chart as a standalone SVG document (UTF-8, with an XML declaration). Stage names are
   * escaped; a timeline with no samples draws a chart that says so.
   *
   * <pre>{@code
   * String svg = timeline.toSvg();
   * }</pre>
   *
   * @return the SVG text
   */
  public String toSvg() {
    List<Sample> copy;
    PipelineStats.@Nullable State state;
    lock.lock();
    try {
      copy = List.copyOf(samples);
      state = endState;
    } finally {
      lock.unlock();
    }
    return TimelineSvg.render(copy, title, state);
  }

  /**
   * Writes {@link #toSvg()} to {@code file}, replacing it if it exists.
   *
   * <pre>{@code
   * timeline.writeSvg(Path.of("docs/timeline.svg"));
   * }</pre>
   *
   * @param file where to write
   * @throws IOException if the file cannot be written
   */
  public void writeSvg(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Files.writeString(file, toSvg(), StandardCharsets.UTF_8);
  }
}
