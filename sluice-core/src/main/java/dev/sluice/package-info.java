/**
 * The public API of sluice: {@link dev.sluice.Channel}, {@link dev.sluice.Sender} and {@link
 * dev.sluice.ChannelClosedException}.
 */
@NullMarked
package dev.sluice;

import org.jspecify.annotations.NullMarked;
