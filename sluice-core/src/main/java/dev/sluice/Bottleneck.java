package dev.sluice;

/**
 * Which stage limits a pipeline's throughput, and whether more workers would help it.
 *
 * @param stage the name of the stage that is busiest relative to its worker count
 * @param utilisation that stage's {@linkplain StageStats#utilisation() utilisation}
 * @param inputFull whether the stage's input is (nearly) full, so the stages before it wait for it
 * @param moreWorkersWouldHelp whether the stage is busy about all the time with a full input queue:
 *     adding workers (or speeding up its function) would raise the pipeline's throughput
 * @param verdict one line for people, such as {@code "hash limits throughput: 98% busy, input full;
 *     more workers would help"}
 */
public record Bottleneck(
    String stage,
    double utilisation,
    boolean inputFull,
    boolean moreWorkersWouldHelp,
    String verdict) {}
