package dev.sluice.examples;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.Progress;
import dev.sluice.ProgressListener;
import dev.sluice.Stage;
import dev.sluice.Timeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Shows live progress: a three-stage pipeline that runs for about two seconds with {@link
 * Progress#auto} on stderr, so a terminal shows a table redrawn in place and a pipe or file gets
 * plain lines.
 *
 * <pre>{@code
 * java dev.sluice.examples.ProgressDemo                       # about 2 s
 * java dev.sluice.examples.ProgressDemo --millis 5000 --timeline demo.svg
 * java dev.sluice.examples.ProgressDemo 2>progress.log        # plain lines
 * }</pre>
 *
 * <p>The stages pretend to work by sleeping: {@code fetch} (8 virtual-thread workers, 2 to 14 ms an
 * item) feeds {@code parse} (2 platform-thread workers, 4 ms an item, the bottleneck), which feeds
 * {@code store} (1 worker, 1 ms an item). The item count is chosen so that {@code parse} takes
 * about the requested time.
 */
public final class ProgressDemo {

  private ProgressDemo() {}

  /**
   * Runs the demo.
   *
   * @param args {@code [--millis N] [--period MILLIS] [--timeline FILE.svg]}
   * @throws Exception if the pipeline fails or the timeline cannot be written
   */
  public static void main(String[] args) throws Exception {
    long millis = 2000;
    long period = 100;
    Path timelineFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--millis" -> millis = Long.parseLong(value(args, ++i));
        case "--period" -> period = Long.parseLong(value(args, ++i));
        case "--timeline" -> timelineFile = Path.of(value(args, ++i));
        default -> throw new IllegalArgumentException("unknown argument: '" + args[i] + "'");
      }
    }
    Timeline timeline = Timeline.create("sluice ProgressDemo: fetch → parse → store");
    List<ProgressListener> listeners = new ArrayList<>();
    listeners.add(Progress.auto(System.err));
    listeners.add(timeline);
    PipelineResult<Void> result =
        run(Duration.ofMillis(millis), Duration.ofMillis(period), listeners);
    System.out.println(
        "stored " + result.delivered() + " items in " + Progress.formatDuration(result.elapsed()));
    if (timelineFile != null) {
      timeline.writeSvg(timelineFile);
      System.out.println("timeline written to " + timelineFile);
    }
  }

  /**
   * Runs the demo pipeline for about {@code length}, reporting to {@code listeners} every {@code
   * period}.
   *
   * @param length about how long to run
   * @param period the time between snapshots
   * @param listeners the progress listeners
   * @return the result
   * @throws InterruptedException if interrupted
   */
  public static PipelineResult<Void> run(
      Duration length, Duration period, List<ProgressListener> listeners)
      throws InterruptedException {
    int items = (int) Math.max(1, length.toMillis() / 2); // parse: 2 workers x 4 ms = 500 items/s
    var runnable =
        Pipeline.from(IntStream.range(0, items).boxed().toList())
            .map(
                "fetch",
                Stage.workers(8).capacity(16),
                x -> {
                  Thread.sleep(2 + (x * 7919L) % 13); // 2 to 14 ms of pretend I/O
                  return x;
                })
            .map(
                "parse",
                Stage.workers(2).platformThreads().capacity(16),
                x -> {
                  Thread.sleep(4);
                  return x;
                })
            .forEach("store", Stage.workers(1).capacity(16), x -> Thread.sleep(1));
    for (ProgressListener listener : listeners) {
      runnable = runnable.progress(period, listener);
    }
    return runnable.run();
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException("missing value after '" + args[i - 1] + "'");
    }
    return args[i];
  }
}
