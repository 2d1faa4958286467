package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.ClosableQueue.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class ClosableQueueTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @ParameterizedTest(name = "{0} items, {1} consumers")
  @CsvSource({"0, 1", "1, 3", "10, 1", "200, 3", "20, 8", "2, 5"})
  void everyItemIsProcessedExactlyOnceAndEveryConsumerStops(int items, int consumers)
      throws Exception {
    Result result = ClosableQueue.run(items, consumers, out);

    assertThat(result.sent()).isEqualTo(items);
    // One list per consumer: a consumer returns its list only from the ChannelClosedException
    // branch, so each of them stopped because the channel was closed and drained.
    assertThat(result.processedByConsumer()).hasSize(consumers);
    assertThat(result.closedAndDrained()).isTrue();
    // No sentinel: the consumers processed the items 1..n, each once, and nothing else.
    List<Integer> all = result.processedByConsumer().stream().flatMap(List::stream).toList();
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, items).boxed().toList());
    assertThat(result.total()).isEqualTo(items);
    assertThat(result.distinct()).isEqualTo(items);
  }

  @Test
  void eachConsumerReceivesItsItemsInTheOrderTheProducerSentThem() throws Exception {
    Result result = ClosableQueue.run(100, 3, out);

    for (List<Integer> processed : result.processedByConsumer()) {
      assertThat(processed).isSorted();
    }
  }

  @Test
  void aSendAfterCloseIsRejected() throws Exception {
    Result result = ClosableQueue.run(5, 2, out);

    assertThat(result.lateSendRejected()).isTrue();
  }

  @Test
  void closeWithCauseReachesEveryConsumerAfterTheyDrainedTheChannel() throws Exception {
    Result result = ClosableQueue.run(5, 3, out);

    assertThat(result.drainedBeforeCause()).containsExactly(1, 2, 3);
    assertThat(result.causesSeen())
        .hasSize(3)
        .allSatisfy(
            cause ->
                assertThat(cause)
                    .isInstanceOf(IOException.class)
                    .hasMessage("source failed after 3 items"));
    assertThat(result.causesSeen().stream().distinct()).hasSize(1);
  }

  @Test
  void printedOutputHasTheExpectedShape() throws Exception {
    ClosableQueue.run(30, 3, out);

    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0)).isEqualTo("producer: sent 30 items, then closed the channel");
    int sum = 0;
    for (int i = 1; i <= 3; i++) {
      assertThat(lines.get(i)).matches("consumer " + i + " processed \\d+ items: \\[[\\d, ]*\\]");
      sum += Integer.parseInt(lines.get(i).split(" ")[3]);
    }
    assertThat(sum).isEqualTo(30);
    assertThat(lines.get(4))
        .isEqualTo("total: 30 items processed (30 distinct) of 30 sent, by 3 consumers");
    assertThat(lines.get(5)).isEqualTo("send after close: rejected with ChannelClosedException");
    assertThat(lines.get(6))
        .isEqualTo(
            "close(cause): consumers drained [1, 2, 3], then 3 of 3 saw the cause:"
                + " java.io.IOException: source failed after 3 items");
  }

  @Test
  void invalidArgumentsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> ClosableQueue.run(-1, 3, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("items must be >= 0: -1");
    assertThatThrownBy(() -> ClosableQueue.run(10, 0, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consumers must be >= 1: 0");
  }
}
