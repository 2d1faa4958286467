/** Implementation of sluice. Not exported; nothing here is API. */
@NullMarked
package dev.sluice.internal;

import org.jspecify.annotations.NullMarked;
