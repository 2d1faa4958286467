package dev.sluice.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Listens to every garbage collection and keeps the largest heap still in use right after one (the
 * live heap), and the number of collections. Shared by the heap benchmarks.
 */
final class GcWatcher {

  /** The most heap in use right after any collection so far, in bytes. */
  final AtomicLong liveAfterGc = new AtomicLong();

  /** Collections seen so far. */
  final AtomicLong gcs = new AtomicLong();

  private GcWatcher() {}

  /**
   * Starts watching.
   *
   * @param heapPoolNames the memory pools that make up the heap
   * @return the watcher
   */
  static GcWatcher install(Set<String> heapPoolNames) {
    GcWatcher watcher = new GcWatcher();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (notification, handback) -> {
                if (!notification
                    .getType()
                    .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                  return;
                }
                GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from(
                        (CompositeData) notification.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> e :
                    info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                  if (heapPoolNames.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                  }
                }
                watcher.gcs.incrementAndGet();
                watcher.liveAfterGc.accumulateAndGet(used, Math::max);
              },
              null,
              null);
    }
    return watcher;
  }
}
