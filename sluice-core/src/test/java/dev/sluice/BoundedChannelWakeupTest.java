package dev.sluice;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eight producers and eight consumers on virtual threads share one bounded channel; each consumer
 * takes a fixed share and stops. Every round must finish: a thread parked in send while there is
 * room, or in receive while there are items, is a lost wake-up.
 */
class BoundedChannelWakeupTest {

  private static final int ROUNDS = 1_000 * Integer.getInteger("sluice.stress", 1);
  private static final int ITEMS = 100_000;
  private static final int PRODUCERS = 8;
  private static final int CONSUMERS = 8;

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES) // a backstop only: each round detects its own hang
  void everyRoundOfVirtualProducersAndConsumersFinishes() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Channel<Integer> channel = Channel.bounded(1024);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < PRODUCERS; i++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        for (int n = 0; n < ITEMS / PRODUCERS; n++) {
                          channel.send(n);
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
      }
      for (int i = 0; i < CONSUMERS; i++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        for (int n = 0; n < ITEMS / CONSUMERS; n++) {
                          channel.receive();
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
      }
      for (Thread thread : threads) {
        if (!thread.join(Duration.ofSeconds(10))) {
          long stuck = threads.stream().filter(Thread::isAlive).count();
          int size = channel.size();
          channel.cancel(new IllegalStateException("test gave up"));
          fail(
              "round "
                  + round
                  + ": "
                  + stuck
                  + " threads still parked after 10 s with "
                  + size
                  + " of 1024 slots filled");
        }
      }
    }
  }
}
