package dev.sluice.testing;

import java.util.Arrays;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Argument sources for parameterized channel tests: every channel kind (or a subset) crossed with
 * platform and virtual threads. Use as {@code @MethodSource(ChannelParams.ALL)}.
 */
public final class ChannelParams {
  private static final String SELF = "dev.sluice.testing.ChannelParams#";

  /** Every kind, on platform and virtual threads. */
  public static final String ALL = SELF + "all";

  /** Kinds that buffer items (bounded and unbounded), on both thread kinds. */
  public static final String BUFFERING = SELF + "buffering";

  /** Bounded kinds (1, 2, 16), on both thread kinds. */
  public static final String BOUNDED = SELF + "bounded";

  /** Kinds whose send can block: bounded (when full) and rendezvous, on both thread kinds. */
  public static final String SEND_CAN_BLOCK = SELF + "sendCanBlock";

  /** Rendezvous only, on both thread kinds. */
  public static final String RENDEZVOUS = SELF + "rendezvous";

  private ChannelParams() {}

  public static Stream<Arguments> all() {
    return cross(kind -> true);
  }

  public static Stream<Arguments> buffering() {
    return cross(ChannelKind::buffers);
  }

  public static Stream<Arguments> bounded() {
    return cross(ChannelKind::isBounded);
  }

  public static Stream<Arguments> sendCanBlock() {
    return cross(ChannelKind::sendCanBlock);
  }

  public static Stream<Arguments> rendezvous() {
    return cross(kind -> kind == ChannelKind.RENDEZVOUS);
  }

  private static Stream<Arguments> cross(Predicate<ChannelKind> filter) {
    return Arrays.stream(ChannelKind.values())
        .filter(filter)
        .flatMap(
            kind -> Arrays.stream(ThreadKind.values()).map(threads -> Arguments.of(kind, threads)));
  }
}
