/**
 * Helpers shared by this project's modules. <b>Not a public API</b>: anything here may change in any release.
 */
@NullMarked
package io.github.netatmotoken.core.internal;

import org.jspecify.annotations.NullMarked;
