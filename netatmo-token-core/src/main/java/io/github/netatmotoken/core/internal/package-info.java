/**
 * Helpers that this project's modules share (the token endpoint's forms and response parsing). <b>Not an API</b>:
 * anything here may change or go in any release, without notice, also after 1.0.
 *
 * <p>On the module path only {@code netatmo-token-okhttp} can read this package (the core module exports it to that
 * module alone). On the class path, outside JPMS, its public classes are visible to everyone all the same: do not
 * use them. The published Javadoc leaves the package out, and the compatibility checks (japicmp, the committed
 * {@code api/netatmo-token-core.txt}) do not cover it.
 */
@NullMarked
package io.github.netatmotoken.core.internal;

import org.jspecify.annotations.NullMarked;
