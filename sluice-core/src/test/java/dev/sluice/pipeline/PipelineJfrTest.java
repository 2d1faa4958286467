package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Pipeline;
import dev.sluice.PipelineHandle;
import dev.sluice.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JDK Flight Recorder events: each stage of a run emits {@code dev.sluice.StageStart} and {@code
 * dev.sluice.StageEnd}, and live stages emit {@code dev.sluice.StageStatistics} periodically. Stage
 * names are unique to this test, as other tests' pipelines may run in the same JVM. (No thread-leak
 * check here: the JDK keeps its own Flight Recorder threads alive once a recording has run.)
 */
class PipelineJfrTest {

  private static final String PRODUCE = "jfr-produce";
  private static final String MAP = "jfr-map";
  private static final String SINK = "jfr-sink";
  private static final List<String> STAGES = List.of(PRODUCE, MAP, SINK);

  @Test
  @Timeout(60)
  void aRunEmitsStartAndEndForEachStageAndPeriodicStatistics() throws Exception {
    int items = 100;
    Map<String, RecordedEvent> starts = new ConcurrentHashMap<>();
    Map<String, RecordedEvent> ends = new ConcurrentHashMap<>();
    Set<String> statisticsOf = ConcurrentHashMap.newKeySet();
    CountDownLatch allEnded = new CountDownLatch(STAGES.size());
    CountDownLatch sinkStatistics = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    try (RecordingStream stream = new RecordingStream()) {
      stream.enable("dev.sluice.StageStart");
      stream.enable("dev.sluice.StageEnd");
      stream.enable("dev.sluice.StageStatistics").withPeriod(Duration.ofMillis(20));
      stream.onEvent(
          "dev.sluice.StageStart",
          e -> {
            if (STAGES.contains(e.getString("stage"))) {
              starts.put(e.getString("stage"), e);
            }
          });
      stream.onEvent(
          "dev.sluice.StageEnd",
          e -> {
            if (STAGES.contains(e.getString("stage"))
                && ends.putIfAbsent(e.getString("stage"), e) == null) {
              allEnded.countDown();
            }
          });
      stream.onEvent(
          "dev.sluice.StageStatistics",
          e -> {
            String stage = e.getString("stage");
            if (STAGES.contains(stage)) {
              statisticsOf.add(stage);
              if (stage.equals(SINK)) {
                sinkStatistics.countDown();
              }
            }
          });
      stream.startAsync();

      PipelineHandle<Void> handle =
          Pipeline.<Integer>fromProducers(
                  PRODUCE,
                  1,
                  (i, out) -> {
                    for (int k = 0; k < items; k++) {
                      out.emit(k);
                    }
                  })
              // Small inputs, so that the producer and the map stage stay live (waiting for
              // room) while the sink is held.
              .map(MAP, Stage.workers(2).capacity(4), x -> x * 2)
              .forEach(
                  SINK,
                  Stage.workers(1).capacity(4),
                  x -> {
                    if (x == 0) {
                      // Hold the run until two statistics events of this stage have arrived.
                      assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                    }
                  })
              .start();
      try {
        assertThat(sinkStatistics.await(30, TimeUnit.SECONDS))
            .as("two StageStatistics events for the live sink stage")
            .isTrue();
      } finally {
        release.countDown();
      }
      handle.await();
      assertThat(allEnded.await(30, TimeUnit.SECONDS))
          .as("a StageEnd event for each stage; got %s", ends.keySet())
          .isTrue();
    }
    assertThat(starts.keySet()).containsExactlyInAnyOrderElementsOf(STAGES);
    assertThat(starts.get(PRODUCE).getString("kind")).isEqualTo("producers");
    assertThat(starts.get(MAP).getString("kind")).isEqualTo("map");
    assertThat(starts.get(MAP).getInt("workers")).isEqualTo(2);
    assertThat(starts.get(SINK).getString("kind")).isEqualTo("forEach");
    assertThat(ends.keySet()).containsExactlyInAnyOrderElementsOf(STAGES);
    assertThat(ends.get(PRODUCE).getLong("emitted")).isEqualTo(items);
    assertThat(ends.get(MAP).getLong("received")).isEqualTo(items);
    assertThat(ends.get(MAP).getLong("emitted")).isEqualTo(items);
    assertThat(ends.get(SINK).getLong("received")).isEqualTo(items);
    assertThat(ends.get(SINK).getLong("failed")).isZero();
    assertThat(ends.get(SINK).getLong("discarded")).isZero();
    assertThat(statisticsOf).contains(SINK, MAP);
    for (String stage : STAGES) {
      assertThat(starts.get(stage).getStartTime())
          .as("%s started before it ended", stage)
          .isBeforeOrEqualTo(ends.get(stage).getStartTime());
    }
  }
}
