/**
 * The {@code sluice} command: {@code sluice dupes}, a duplicate-file finder built as a sluice
 * pipeline, and {@code sluice examples}. A classpath application; the entry point is {@link
 * dev.sluice.cli.SluiceCli}.
 */
@NullMarked
package dev.sluice.cli;

import org.jspecify.annotations.NullMarked;
