package dev.sluice.internal;

import dev.sluice.PipelineStats;
import dev.sluice.ProgressListener;
import java.io.PrintStream;
import java.util.List;

/**
 * A live {@link ProgressTable} redrawn in place on an ANSI terminal.
 *
 * <p>Each frame is written with one {@code print} and a flush. The first frame is printed as is;
 * each later frame first returns the cursor to the start of the table ({@code CR}, then {@code ESC
 * [nA}: up {@code n} lines, the height of the frame before), then writes every line after clearing
 * it ({@code ESC [2K}), and clears whatever an older, taller frame left below ({@code ESC [J}). A
 * frame ends with a line feed, so the cursor always rests at the start of the line below the table
 * and the screen never scrolls on a refresh. Lines are cut to the terminal's width less one, so
 * that none wraps (a wrapped line would throw the line count off).
 *
 * <p>The final frame is drawn the same way and leaves the cursor below it; the renderer then
 * forgets the table, so a second run starts a new one below.
 *
 * <p>Called by one thread at a time ({@link ProgressListener}'s contract): no lock.
 */
public final class ProgressTerminal implements ProgressListener {

  /** The escape character that starts every ANSI control sequence. */
  static final char ESC = '\u001b';

  private final PrintStream out;
  private final int columns;
  private final ProgressRates rates = new ProgressRates();
  private final ProgressTable table = new ProgressTable();
  private int drawnLines;

  /**
   * A renderer writing to {@code out}, a terminal {@code columns} wide.
   *
   * @param out the terminal
   * @param columns its width, at least 1
   */
  public ProgressTerminal(PrintStream out, int columns) {
    this.out = out;
    this.columns = columns;
  }

  @Override
  public void onProgress(PipelineStats stats) {
    rates.update(stats);
    draw(table.render(stats, rates, false, columns));
  }

  @Override
  public void onFinish(PipelineStats stats) {
    draw(table.render(stats, rates, true, columns));
    drawnLines = 0;
    rates.reset();
    table.reset();
  }

  private void draw(List<String> lines) {
    StringBuilder frame = new StringBuilder();
    if (drawnLines > 0) {
      frame.append('\r').append(ESC).append('[').append(drawnLines).append('A');
    }
    for (String line : lines) {
      frame.append(ESC).append("[2K").append(line).append('\n');
    }
    if (drawnLines > lines.size()) {
      frame.append(ESC).append("[J");
    }
    out.print(frame);
    out.flush();
    drawnLines = lines.size();
  }
}
