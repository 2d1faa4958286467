package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.LazyInFlight.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(120)
class LazyInFlightTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @ParameterizedTest(name = "{0} inputs, {1} in flight")
  @CsvSource({"0, 4", "1, 1", "10, 64", "5000, 1", "5000, 3", "200000, 64"})
  void everyInputIsProcessedAndNoMoreThanTheBoundAreEverInFlight(long n, int maxInFlight) {
    Result result = LazyInFlight.run(n, maxInFlight, out);

    assertThat(result.count()).isEqualTo(n);
    assertThat(result.failures()).isZero();
    assertThat(result.sum()).isEqualTo(LongStream.range(0, n).map(LazyInFlight::work).sum());
    // The source fills the bound before the first completion is handed over, and never exceeds it.
    assertThat(result.peakInFlight()).isEqualTo(Math.min(n, maxInFlight));
  }

  @Test
  void theSummaryReportsTheBoundAndTheHeap() {
    Result result = LazyInFlight.run(1000, 8, out);

    assertThat(result.peakHeap()).isPositive();
    assertThat(result.heapBefore()).isPositive();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("1,000 inputs (0 failed)")
        .contains("peak in flight: 8 (bound 8)")
        .contains("heap used: ");
  }

  @Test
  void theSourceMakesEachNumberWhenAskedAndEnds() {
    LazyInFlight.Numbers numbers = new LazyInFlight.Numbers(2);

    assertThat(numbers.next()).isZero();
    assertThat(numbers.next()).isEqualTo(1L);
    assertThat(numbers.hasNext()).isFalse();
    assertThat(numbers.peakInFlight()).isEqualTo(2);
    assertThatThrownBy(numbers::next)
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("all 2 numbers were pulled");
  }

  @Test
  void invalidArgumentsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> LazyInFlight.run(-1, 4, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must be >= 0: -1");
    assertThatThrownBy(() -> LazyInFlight.run(10, 0, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight must be >= 1: 0");
  }
}
